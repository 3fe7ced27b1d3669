// Who is who: names to show, presence, and the users we have met in messages but do not have as friends.
import { api } from '../api';
import type { Names } from '../display';
import type { Conversation, UserProfile } from '../types';
import { getState, onReset, setState } from './state';

export function displayName(userId: string | undefined): string {
  if (!userId) return '';
  const state = getState();
  if (userId === state.me?.id) return 'You';
  const f = state.friends.find((x) => x.userId === userId);
  if (f) return f.remark || f.nickname;
  return state.users[userId]?.nickname ?? 'Someone';
}

/** The names display.ts words messages with. */
export function names(): Names {
  return { me: getState().me?.id, name: displayName };
}

/** What a system conversation (the service's announcements, platform broadcasts) is called. */
export const announcementsTitle = 'Announcements';

export function conversationTitle(c: Conversation): string {
  if (c.kind === 'group') return c.group?.name ?? 'Group';
  if (c.kind === 'system') return announcementsTitle;
  const f = getState().friends.find((x) => x.userId === peerIdOf(c));
  return f?.remark || c.peer?.name || c.peer?.nickname || f?.nickname || 'Conversation';
}

export function peerIdOf(c: Conversation): string | undefined {
  return c.peer?.id;
}

export function isOnline(c: Conversation): boolean {
  const peer = peerIdOf(c);
  const presence = getState().presence;
  if (peer && peer in presence) return presence[peer];
  return !!c.online;
}

export function remember(users: Array<{ id?: string; nickname: string; avatar?: string | null }>) {
  const next = { ...getState().users };
  for (const u of users) if (u.id) next[u.id] = { nickname: u.nickname, avatar: u.avatar };
  setState({ users: next });
}

const asked = new Set<string>();
onReset(() => asked.clear());

/** Looks up the names of senders we do not know yet (50 at a time), once each. */
export async function learnUsers(ids: string[]) {
  const state = getState();
  const unknown = [...new Set(ids)].filter((id) => id && !asked.has(id) && !state.users[id] && id !== state.me?.id && !state.friends.some((f) => f.userId === id));
  if (!unknown.length) return;
  for (const id of unknown) asked.add(id);
  try {
    for (let i = 0; i < unknown.length; i += 50) {
      const chunk = unknown.slice(i, i + 50);
      remember(await api.get<UserProfile[]>('/users', { ids: chunk.join(','), limit: chunk.length }));
    }
  } catch {
    /* names are cosmetic */
  }
}
