import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { loadContacts, refreshConversations, setState, useStore } from '../store';
import type { Group, GroupMember, GroupRole, JoinRequest } from '../types';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

const roleNames: Record<GroupRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
const rank: Record<GroupRole, number> = { owner: 3, admin: 2, member: 1 };

export function GroupInfo({ groupId, onClose }: { groupId: string; onClose: () => void }) {
  const me = useStore((s) => s.me)!;
  const friends = useStore((s) => s.friends);
  const [group, setGroup] = useState<Group | null>(null);
  const [members, setMembers] = useState<GroupMember[]>([]);
  const [requests, setRequests] = useState<JoinRequest[]>([]);
  const [notice, setNotice] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [inviting, setInviting] = useState(false);

  const myRole = members.find((m) => m.userId === me.id)?.role ?? group?.myRole ?? 'member';
  const isAdmin = myRole === 'owner' || myRole === 'admin';

  async function load() {
    try {
      const [g, m] = await Promise.all([api.get<Group>(`/groups/${groupId}`), api.get<GroupMember[]>(`/groups/${groupId}/members`)]);
      setGroup(g);
      setMembers(m);
      setNotice(g.notice ?? '');
      setName(g.name);
      const role = m.find((x) => x.userId === me.id)?.role;
      if (role === 'owner' || role === 'admin') {
        const r = await api.get<JoinRequest[]>(`/groups/${groupId}/join-requests`);
        setRequests(r.filter((x) => !x.status || x.status === 'pending'));
      }
    } catch (e) {
      setError(errorText(e));
    }
  }

  useEffect(() => void load(), [groupId]);

  async function act(fn: () => Promise<unknown>) {
    setError('');
    try {
      await fn();
      await load();
      void loadContacts();
      refreshConversations();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const muted = group?.mutedUntil && Date.parse(group.mutedUntil) > Date.now();
  const candidates = friends.filter((f) => !members.some((m) => m.userId === f.userId));

  return (
    <aside class="group-info" aria-label="Group info" data-testid="group-info" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div class="section-head">
        <h2>Group info</h2>
        <button type="button" class="icon" aria-label="Close group info" onClick={onClose}>
          <Icon name="close" size={16} />
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {group && (
        <>
          <p class="muted small">Group id: {group.id} · share it so people can ask to join</p>
          {isAdmin ? (
            <form
              class="stack"
              onSubmit={(e) => {
                e.preventDefault();
                void act(() => api.patch(`/groups/${groupId}`, { name: name.trim(), notice }));
              }}
            >
              <label>
                Name
                <input value={name} required maxLength={64} onInput={(e) => setName(e.currentTarget.value)} />
              </label>
              <label>
                Notice
                <textarea rows={3} value={notice} maxLength={1000} onInput={(e) => setNotice(e.currentTarget.value)} />
              </label>
              <button type="submit" class="secondary small">
                Save
              </button>
            </form>
          ) : (
            group.notice && (
              <div class="notice-box">
                <strong>Notice</strong>
                <p>{group.notice}</p>
              </div>
            )
          )}
          {isAdmin && (
            <label class="check">
              <input type="checkbox" checked={group.historyForNewMembers} onChange={(e) => void act(() => api.patch(`/groups/${groupId}`, { historyForNewMembers: e.currentTarget.checked }))} />
              New members see earlier messages
            </label>
          )}
          {isAdmin && (
            <button type="button" class="secondary small" onClick={() => void act(() => (muted ? api.del(`/groups/${groupId}/mutes/all`) : api.post(`/groups/${groupId}/mutes`, { until: new Date(Date.now() + 365 * 86_400_000).toISOString() })))}>
              {muted ? 'Let everyone post again' : 'Mute everyone (admins can still post)'}
            </button>
          )}
          {requests.length > 0 && (
            <section aria-label="Join requests">
              <h3>Join requests</h3>
              <ul class="list">
                {requests.map((r) => (
                  <li key={r.id} class="person">
                    <span class="grow">
                      {r.user?.nickname ?? 'Someone'}
                      {r.message && <span class="muted small block">{r.message}</span>}
                    </span>
                    <button type="button" class="primary small" onClick={() => void act(() => api.post(`/groups/${groupId}/join-requests/${r.id}/accept`))}>
                      Accept
                    </button>
                    <button type="button" class="secondary small" onClick={() => void act(() => api.post(`/groups/${groupId}/join-requests/${r.id}/reject`))}>
                      Decline
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section aria-label="Members">
            <div class="section-head">
              <h3>{members.length} members</h3>
              <button type="button" class="secondary small" aria-expanded={inviting} onClick={() => setInviting(!inviting)}>
                Invite
              </button>
            </div>
            {inviting && (
              <ul class="list">
                {!candidates.length && <li class="muted small">All your friends are in the group.</li>}
                {candidates.map((f) => (
                  <li key={f.userId} class="person">
                    <span class="grow">{f.remark || f.nickname}</span>
                    <button
                      type="button"
                      class="primary small"
                      onClick={() =>
                        void act(async () => {
                          const r = await api.post<{ added: string[]; pending: string[] }>(`/groups/${groupId}/members`, { userIds: [f.userId] });
                          if (r.pending?.length) setError('Invitation sent: an admin must approve it.');
                        })
                      }
                    >
                      Invite
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <ul class="list" data-testid="group-members">
              {members.map((m) => {
                const isMuted = m.mutedUntil && Date.parse(m.mutedUntil) > Date.now();
                const canManage = m.userId !== me.id && rank[myRole] > rank[m.role] && isAdmin;
                return (
                  <li key={m.userId} class="person" data-testid="group-member">
                    <Avatar name={m.nickname} src={m.avatar} size={32} />
                    <span class="grow member-name">
                      {m.nickname} {m.userId === me.id && <span class="muted small">(you)</span>}
                      <span class={'role ' + m.role}>{roleNames[m.role]}</span>
                      {isMuted && <span class="muted small"> · muted</span>}
                    </span>
                    <span class="member-actions">
                    {myRole === 'owner' && m.userId !== me.id && (
                      <button type="button" class="linkish small" onClick={() => void act(() => api.patch(`/groups/${groupId}/members/${m.userId}`, { role: m.role === 'admin' ? 'member' : 'admin' }))}>
                        {m.role === 'admin' ? 'Remove admin' : 'Make admin'}
                      </button>
                    )}
                    {myRole === 'owner' && m.userId !== me.id && (
                      <button type="button" class="linkish small" onClick={() => confirm(`Make ${m.nickname} the owner? You will become an admin.`) && void act(() => api.patch(`/groups/${groupId}/members/${m.userId}`, { role: 'owner' }))}>
                        Make owner
                      </button>
                    )}
                    {canManage && (
                      <>
                        <button type="button" class="linkish small" onClick={() => void act(() => (isMuted ? api.del(`/groups/${groupId}/mutes/${m.userId}`) : api.post(`/groups/${groupId}/mutes`, { userId: m.userId, until: new Date(Date.now() + 3_600_000).toISOString() })))}>
                          {isMuted ? 'Unmute' : 'Mute 1 h'}
                        </button>
                        <button type="button" class="linkish small danger-text" onClick={() => confirm(`Remove ${m.nickname} from the group?`) && void act(() => api.del(`/groups/${groupId}/members/${m.userId}`))}>
                          Remove
                        </button>
                      </>
                    )}
                    </span>
                  </li>
                );
              })}
            </ul>
          </section>
          <div class="row">
            {myRole !== 'owner' && (
              <button type="button" class="secondary small danger-text" onClick={() => confirm('Leave this group?') && void act(async () => { await api.del(`/groups/${groupId}/members/${me.id}`); setState({ selected: null }); })}>
                Leave group
              </button>
            )}
            {myRole === 'owner' && (
              <button type="button" class="secondary small danger-text" onClick={() => confirm('Dissolve this group for everyone?') && void act(async () => { await api.del(`/groups/${groupId}`); setState({ selected: null }); })}>
                Dissolve group
              </button>
            )}
          </div>
        </>
      )}
    </aside>
  );
}
