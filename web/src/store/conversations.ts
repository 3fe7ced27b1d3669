// The conversation list (every page of GET /conversations), contacts, and per-conversation settings.
import { api, ApiError } from '../api';
import type { Conversation, ConversationPage, Friend, FriendRequest, Group } from '../types';
import { sortConversations } from './ordering';
import { peerIdOf, remember } from './people';
import { fail, getState, onReset, setState } from './state';

let listTimer: ReturnType<typeof setTimeout> | undefined;

/** Reloads the conversation list (debounced: many events can ask for it at once). */
export function refreshConversations(delay = 150) {
  clearTimeout(listTimer);
  listTimer = setTimeout(() => void loadConversations(), delay);
}

let listLoads = 0;
let latestListLoad: Promise<void> = Promise.resolve();
onReset(() => listLoads++); // a list still loading for the last account is dropped

/**
 * Loads the whole list. When a newer load starts meanwhile, this one's result is dropped and the
 * promise settles with the newer one, so a caller that awaits it (e.g. "create group, then open it")
 * always sees a list at least as new as its own request.
 */
export function loadConversations(): Promise<void> {
  const load = ++listLoads;
  const done: Promise<void> = fetchConversations(load).then(() => (load === listLoads || latestListLoad === done ? undefined : latestListLoad));
  latestListLoad = done;
  return done;
}

async function fetchConversations(load: number) {
  try {
    // The list comes in pages of at most 200: follow nextCursor to the end (a cap keeps a server bug from looping).
    const all: Conversation[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const list = await api.get<ConversationPage>('/conversations', { limit: 200, cursor });
      all.push(...list.conversations);
      cursor = list.nextCursor ?? undefined;
      if (!cursor) break;
    }
    const seen = new Set<string>();
    const items = all.filter((c) => !c.hidden && !seen.has(c.id) && seen.add(c.id));
    if (load !== listLoads) return; // a later reload (a newer list) is on its way
    const peerRead = { ...getState().peerRead };
    for (const c of items) {
      const peer = peerIdOf(c);
      if (peer && typeof c.peerReadSeq === 'number') peerRead[c.id] = { ...peerRead[c.id], [peer]: Math.max(peerRead[c.id]?.[peer] ?? 0, c.peerReadSeq) };
    }
    remember(items.flatMap((c) => (c.peer ? [c.peer] : [])));
    setState({ conversations: sortConversations(items.map((c) => withLocalUnread(c))), conversationsLoaded: true, peerRead });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      setState({ conversationsLoaded: true }); // an older server without the list: contacts still work
      return;
    }
    fail(e);
  }
}

/** The open conversation is read as it arrives: do not let a list reload bring its badge back. */
function withLocalUnread(c: Conversation): Conversation {
  const state = getState();
  const h = state.history[c.id];
  if (state.selected === c.id && h?.loaded && document.visibilityState === 'visible') return { ...c, unreadCount: 0 };
  return c;
}

export async function loadContacts() {
  try {
    const [friends, requests, groups] = await Promise.all([
      api.get<Friend[]>('/friends'),
      api.get<FriendRequest[]>('/friend-requests', { direction: 'incoming' }),
      api.get<Group[]>('/groups'),
    ]);
    const presence = { ...getState().presence };
    for (const f of friends) presence[f.userId] = f.online;
    setState({ friends, requests: requests.filter((r) => r.status === 'pending'), groups, presence });
  } catch (e) {
    fail(e);
  }
}

/** Disappearing messages for everyone in the conversation (null: off); the members hear of it as conversation.updated. */
export async function setMessageTtl(c: Conversation, seconds: number | null) {
  try {
    await api.patch(`/conversations/${c.id}`, { messageTtlSeconds: seconds });
    setState((s) => ({ conversations: s.conversations.map((x) => (x.id === c.id ? { ...x, messageTtlSeconds: seconds } : x)) }));
  } catch (e) {
    fail(e);
  }
}

export async function setConversationFlags(c: Conversation, flags: { pinned?: boolean; muted?: boolean }) {
  try {
    await api.patch(`/conversations/${c.id}`, flags);
    setState((s) => ({ conversations: sortConversations(s.conversations.map((x) => (x.id === c.id ? { ...x, ...flags } : x))) }));
  } catch (e) {
    fail(e);
  }
}
