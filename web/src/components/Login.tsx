import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../api';
import type { AuthResponse } from '../types';

type Mode = 'login' | 'register' | 'reset';

export function Login() {
  const [mode, setMode] = useState<Mode>('login');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [code, setCode] = useState('');
  const [codeSent, setCodeSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [resetSent, setResetSent] = useState(false);
  const isEmail = login.includes('@');

  async function askReset() {
    setError('');
    setBusy(true);
    try {
      await api.post('/auth/password-reset', { login: login.trim() });
      setResetSent(true);
      setInfo('If this account has an e-mail address, a code is on its way there. (On a server without e-mail, it is in the server log.)');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function confirmReset(e: Event) {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await api.post('/auth/password-reset/confirm', { login: login.trim(), code: code.trim(), newPassword });
      setMode('login');
      setPassword('');
      setCode('');
      setResetSent(false);
      setInfo('Your password is changed, and every device was signed out. Sign in with the new one.');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  if (mode === 'reset')
    return (
      <main class="login">
        <form class="card" onSubmit={confirmReset} aria-labelledby="reset-title">
          <h1 id="reset-title">Set a new password</h1>
          <label>
            Phone, e-mail or username
            <input name="login" autoComplete="username" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} />
          </label>
          <button type="button" class="secondary" onClick={askReset} disabled={busy || !login.trim()}>
            {resetSent ? 'Send the code again' : 'E-mail me a code'}
          </button>
          {resetSent && (
            <>
              <label>
                Code from the e-mail
                <input name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
              </label>
              <label>
                New password
                <input name="new-password" type="password" autoComplete="new-password" required minLength={8} value={newPassword} onInput={(e) => setNewPassword(e.currentTarget.value)} />
              </label>
              <button type="submit" class="primary" disabled={busy}>
                Set new password
              </button>
            </>
          )}
          {info && <p class="info" role="status">{info}</p>}
          {error && (
            <p class="error" role="alert" data-testid="auth-error">
              {error}
            </p>
          )}
          <button type="button" class="linkish small" onClick={() => { setMode('login'); setInfo(''); setError(''); }}>
            Back to sign in
          </button>
        </form>
      </main>
    );

  async function sendCode() {
    setError('');
    setBusy(true);
    try {
      await api.post('/auth/verification-codes', { email: login.trim() });
      setCodeSent(true);
      setInfo('We sent a code to your e-mail. (On a server without e-mail, it is in the server log.)');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      let auth: AuthResponse;
      if (mode === 'login') {
        auth = await api.post<AuthResponse>('/auth/login', { login: login.trim(), password });
      } else {
        const body: Record<string, string> = { password, nickname: nickname.trim() };
        if (isEmail) body.email = login.trim();
        else body.phone = login.trim();
        if (code.trim()) body.code = code.trim();
        try {
          auth = await api.post<AuthResponse>('/auth/register', body);
        } catch (err) {
          if (isEmail && err instanceof ApiError && err.field === 'code' && !codeSent) {
            setError('This server checks e-mail addresses: ask for a code, then enter it below.');
            return;
          }
          throw err;
        }
      }
      api.signIn(auth);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{mode === 'login' ? 'Sign in to Parley' : 'Create your Parley account'}</h1>
        <div class="segmented" role="group" aria-label="Sign in or register">
          <button type="button" aria-pressed={mode === 'login'} onClick={() => setMode('login')} data-testid="mode-login">
            Sign in
          </button>
          <button type="button" aria-pressed={mode === 'register'} onClick={() => setMode('register')} data-testid="mode-register">
            Register
          </button>
        </div>
        <label>
          {mode === 'login' ? 'Phone, e-mail or username' : 'Phone number or e-mail'}
          <input name="login" autoComplete="username" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} inputMode={mode === 'register' && !isEmail ? 'tel' : undefined} />
        </label>
        {mode === 'register' && (
          <label>
            Nickname
            <input name="nickname" autoComplete="nickname" required maxLength={32} value={nickname} onInput={(e) => setNickname(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'register' ? 8 : undefined}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {mode === 'register' && isEmail && (
          <div class="row">
            <label class="grow">
              E-mail code
              <input name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
            </label>
            <button type="button" class="secondary" onClick={sendCode} disabled={busy || !login.includes('@')}>
              {codeSent ? 'Send again' : 'Send code'}
            </button>
          </div>
        )}
        {info && <p class="info" role="status">{info}</p>}
        {error && (
          <p class="error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {mode === 'login' ? 'Sign in' : 'Create account'}
        </button>
        {mode === 'register' && <p class="hint">A phone number signs you up at once; an e-mail address may need a code.</p>}
        {mode === 'login' && (
          <button type="button" class="linkish small" onClick={() => { setMode('reset'); setInfo(''); setError(''); }} data-testid="forgot-password">
            Forgot password?
          </button>
        )}
      </form>
    </main>
  );
}
