import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { fail, getState, loadContacts, loadConversations, notify, refreshConversations, setState, useStore } from '../store';
import type { Friend, Group, UserProfile } from '../types';
import { Avatar } from './Avatar';

/** Opens the direct conversation with a friend, or a new one that is created by the first message. */
export function openChatWith(userId: string) {
  const c = getState().conversations.find((x) => x.kind === 'direct' && x.peer?.id === userId);
  setState({ selected: c ? c.id : 'user:' + userId, panel: 'chats' });
}

export function openGroup(groupId: string) {
  const c = getState().conversations.find((x) => x.kind === 'group' && x.group?.id === groupId);
  if (c) setState({ selected: c.id, panel: 'chats' });
  else {
    refreshConversations(0);
    notify('The group conversation appears in Chats after its first message.', 'info');
  }
}

export function Contacts() {
  const friends = useStore((s) => s.friends);
  const requests = useStore((s) => s.requests);
  const groups = useStore((s) => s.groups);
  const presence = useStore((s) => s.presence);
  const [creating, setCreating] = useState(false);
  useEffect(() => void loadContacts(), []);

  return (
    <div class="contacts">
      <Search />
      {requests.length > 0 && (
        <section aria-labelledby="requests-title">
          <h2 id="requests-title">Friend requests</h2>
          <ul class="list" data-testid="friend-requests">
            {requests.map((r) => (
              <li key={r.id} class="person" data-testid="friend-request">
                <Avatar name={r.from.nickname} src={r.from.avatar} />
                <span class="grow">
                  <strong>{r.from.nickname}</strong>
                  {r.message && <span class="muted small block">{r.message}</span>}
                </span>
                <button type="button" class="primary small" onClick={() => handle(r.id, 'accept')}>
                  Accept
                </button>
                <button type="button" class="secondary small" onClick={() => handle(r.id, 'reject')}>
                  Decline
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="groups-title">
        <div class="section-head">
          <h2 id="groups-title">Groups</h2>
          <button type="button" class="secondary small" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            New group
          </button>
        </div>
        {creating && <CreateGroup friends={friends} onDone={() => setCreating(false)} />}
        <JoinGroup />
        <ul class="list">
          {groups.map((g: Group) => (
            <li key={g.id}>
              <button type="button" class="person link" onClick={() => openGroup(g.id)} data-testid="group">
                <Avatar name={g.name} src={g.icon} />
                <span class="grow">
                  {g.name} <span class="muted small">· {g.memberCount} members</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="friends-title">
        <h2 id="friends-title">Friends</h2>
        {!friends.length && <p class="muted">No friends yet. Search for people above.</p>}
        <ul class="list" data-testid="friends">
          {friends.map((f: Friend) => (
            <li key={f.userId}>
              <button type="button" class="person link" onClick={() => openChatWith(f.userId)} data-testid="friend" aria-label={`Message ${f.remark || f.nickname}`}>
                <Avatar name={f.nickname} src={f.avatar} online={presence[f.userId] ?? f.online} />
                <span class="grow">
                  {f.remark || f.nickname}
                  {f.username && <span class="muted small"> @{f.username}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

async function handle(id: string, action: 'accept' | 'reject') {
  try {
    await api.post(`/friend-requests/${id}/${action}`);
    await loadContacts();
    refreshConversations(0);
  } catch (e) {
    fail(e);
  }
}

function Search() {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<UserProfile[] | null>(null);
  const [sent, setSent] = useState<Record<string, boolean>>({});
  const [error, setError] = useState('');
  const me = useStore((s) => s.me);

  async function search(e: Event) {
    e.preventDefault();
    setError('');
    if (!query.trim()) return;
    try {
      const found = await api.get<UserProfile[]>('/users', { query: query.trim() });
      setResults(found.filter((u) => u.id !== me?.id));
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function add(u: UserProfile) {
    try {
      await api.post('/friend-requests', { userId: u.id, message: `Hi, I'm ${me?.nickname ?? ''}` });
      setSent({ ...sent, [u.id]: true });
      void loadContacts();
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">Find people</h2>
      <form class="row" onSubmit={search} role="search">
        <label class="grow">
          <span class="sr-only">Name, phone, e-mail or username</span>
          <input type="search" placeholder="Name, phone, e-mail or username" value={query} onInput={(e) => setQuery(e.currentTarget.value)} data-testid="people-search" />
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {results && (
        <ul class="list" aria-label="Search results" data-testid="search-results">
          {!results.length && <li class="muted pad">Nobody found.</li>}
          {results.map((u) => (
            <li key={u.id} class="person" data-testid="search-result">
              <Avatar name={u.nickname} src={u.avatar} />
              <span class="grow">
                {u.nickname}
                {u.username && <span class="muted small"> @{u.username}</span>}
              </span>
              {u.isFriend ? (
                <button type="button" class="secondary small" onClick={() => openChatWith(u.id)}>
                  Message
                </button>
              ) : sent[u.id] ? (
                <span class="muted small" role="status">
                  Request sent
                </span>
              ) : (
                <button type="button" class="primary small" onClick={() => add(u)} aria-label={`Add ${u.nickname} as a friend`}>
                  Add friend
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CreateGroup({ friends, onDone }: { friends: Friend[]; onDone: () => void }) {
  const [name, setName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  // On by default, as on the server: a stranger who knows the group's id waits for an owner or admin.
  const [approval, setApproval] = useState(true);
  // On by default, as on the server: people who join later read what was said before them.
  const [history, setHistory] = useState(true);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function create(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const g = await api.post<Group>('/groups', { name: name.trim(), memberIds: members, joinApproval: approval, historyForNewMembers: history });
      await loadContacts();
      await refreshAndOpen(g.id);
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card inset" onSubmit={create} aria-label="New group" data-testid="create-group">
      <label>
        Group name
        <input required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>Members</legend>
        {!friends.length && <p class="muted small">Add friends first to invite them.</p>}
        {friends.map((f) => (
          <label key={f.userId} class="check">
            <input
              type="checkbox"
              checked={members.includes(f.userId)}
              onChange={(e) => setMembers(e.currentTarget.checked ? [...members, f.userId] : members.filter((m) => m !== f.userId))}
            />
            {f.remark || f.nickname}
          </label>
        ))}
      </fieldset>
      <label class="check">
        <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.currentTarget.checked)} />
        New members need approval
      </label>
      <label class="check">
        <input type="checkbox" checked={history} onChange={(e) => setHistory(e.currentTarget.checked)} />
        New members see earlier messages
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Create group
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

async function refreshAndOpen(groupId: string) {
  await loadConversations();
  const c = getState().conversations.find((x) => x.kind === 'group' && x.group?.id === groupId);
  if (c) setState({ selected: c.id, panel: 'chats' });
}

function JoinGroup() {
  const [open, setOpen] = useState(false);
  const [id, setId] = useState('');
  const [message, setMessage] = useState('');

  async function join(e: Event) {
    e.preventDefault();
    try {
      await api.post(`/groups/${id.trim()}/join-requests`, { message });
      notify('Request sent. An admin of the group will answer it.', 'info');
      setOpen(false);
      void loadContacts();
    } catch (err) {
      fail(err);
    }
  }

  if (!open)
    return (
      <button type="button" class="linkish small" onClick={() => setOpen(true)}>
        Join a group by its id…
      </button>
    );
  return (
    <form class="row wrap" onSubmit={join} aria-label="Join a group">
      <label class="grow">
        Group id
        <input required inputMode="numeric" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label class="grow">
        Message
        <input value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary small">
        Ask to join
      </button>
    </form>
  );
}
