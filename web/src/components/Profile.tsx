import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../api';
import { disablePush, enablePush, pushStatus, type PushStatus } from '../push';
import { setState, useStore } from '../store';
import type { OwnProfile } from '../types';
import { avatarDataUrl } from '../util';
import { Avatar } from './Avatar';

export function Profile() {
  const me = useStore((s) => s.me)!;
  const [nickname, setNickname] = useState(me.nickname);
  const [username, setUsername] = useState(me.username ?? '');
  const [avatar, setAvatar] = useState(me.avatar ?? '');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [deletePassword, setDeletePassword] = useState('');
  const [deleteError, setDeleteError] = useState('');

  async function save(e: Event) {
    e.preventDefault();
    try {
      const body: Record<string, string> = { nickname: nickname.trim(), avatar };
      if (username.trim() && username.trim() !== me.username) body.username = username.trim();
      const updated = await api.patch<OwnProfile>('/users/me', body);
      api.updateUser(updated);
      setState({ me: updated });
      setMessage({ text: 'Saved.', error: false });
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    }
  }

  /** Streams the export (GET /users/me/export) into a file the browser saves. */
  async function download() {
    try {
      const token = await api.freshToken();
      const res = await fetch('/api/v1/users/me/export', { headers: { Authorization: 'Bearer ' + token } });
      if (!res.ok) throw new Error('The export failed (' + res.status + ').');
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = 'parley-export.json';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    }
  }

  async function deleteAccount(e: Event) {
    e.preventDefault();
    setDeleteError('');
    if (!window.confirm('Delete your account for good? Your contacts, groups and sign-ins go; your messages stay with the others, from "Deleted account".')) return;
    try {
      await api.request('DELETE', '/users/me', { password: deletePassword });
      await api.signOut();
    } catch (err) {
      setDeleteError(errorText(err));
    }
  }

  async function pick(e: Event) {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      setAvatar(await avatarDataUrl(file));
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    }
  }

  return (
    <form class="profile pad" onSubmit={save} aria-label="Your profile">
      <div class="profile-head">
        <Avatar name={nickname || me.nickname} src={avatar || undefined} size={72} />
        <div>
          <strong>{me.nickname}</strong>
          <div class="muted small">{me.phone ?? me.email}</div>
          <div class="muted small">Your id: {me.id}</div>
        </div>
      </div>
      <label>
        Nickname
        <input required maxLength={32} value={nickname} onInput={(e) => setNickname(e.currentTarget.value)} />
      </label>
      <label>
        Username (optional)
        <input value={username} pattern="[A-Za-z0-9_.]{3,32}" onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        Avatar picture
        <input type="file" accept="image/*" onChange={pick} />
      </label>
      {avatar && (
        <button type="button" class="linkish small" onClick={() => setAvatar('')}>
          Remove avatar
        </button>
      )}
      {message && (
        <p class={message.error ? 'error' : 'info'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary">
          Save profile
        </button>
        <button type="button" class="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
        <button type="button" class="secondary" onClick={() => void download()} data-testid="download-data">
          Download my data
        </button>
      </div>
      <details class="danger-zone">
        <summary>Delete my account</summary>
        <label>
          Password to confirm
          <input type="password" autoComplete="current-password" value={deletePassword} onInput={(e) => setDeletePassword(e.currentTarget.value)} />
        </label>
        {deleteError && (
          <p class="error" role="alert">
            {deleteError}
          </p>
        )}
        <button type="button" class="danger" onClick={deleteAccount} disabled={!deletePassword}>
          Delete account
        </button>
      </details>
      <Notifications />
    </form>
  );
}

/** Stops this browser's pushes (the server would stop using them anyway once the session ends), then signs out. */
async function signOut() {
  try {
    await disablePush();
  } catch {
    /* signing out is what matters */
  }
  await api.signOut();
}

const statusText: Record<PushStatus, string> = {
  unsupported: 'This browser cannot show notifications.',
  off: 'Notifications are off.',
  on: 'Notifications are on: new messages and calls reach you while Parley is closed.',
  denied: 'Notifications are blocked for this site in the browser’s settings.',
};

/** The notification switch: permission is asked only when the user turns it on. */
function Notifications() {
  const [status, setStatus] = useState<PushStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void pushStatus().then(setStatus), []);
  async function turn(on: boolean) {
    setError(null);
    try {
      if (on) setStatus(await enablePush());
      else {
        await disablePush();
        setStatus('off');
      }
    } catch (e) {
      setError(e instanceof ApiError ? errorText(e) : 'The browser’s push service could not be reached: ' + (e instanceof Error ? e.message : String(e)));
    }
  }
  if (!status) return null;
  return (
    <section class="notifications" aria-label="Notifications" data-testid="notifications">
      <h3>Notifications</h3>
      <p role="status" data-testid="push-status">{statusText[status]}</p>
      {status === 'off' && (
        <button type="button" class="secondary" onClick={() => void turn(true)} data-testid="push-enable">
          Turn on notifications
        </button>
      )}
      {status === 'on' && (
        <button type="button" class="secondary" onClick={() => void turn(false)}>
          Turn off notifications
        </button>
      )}
      {error && (
        <p class="error" role="alert" data-testid="push-error">
          {error}
        </p>
      )}
    </section>
  );
}
