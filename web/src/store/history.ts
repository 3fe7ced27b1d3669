// Each conversation's messages: pages of history, messages as they arrive (live, synced, or our own acked),
// read state, recall and delete-for-me. The order and gap rules are ordering.ts's; this applies them to the state.
import { api } from '../api';
import { realtime } from '../realtime';
import type { Message } from '../types';
import { refreshConversations } from './conversations';
import { byConversation, emptyHistory, sortConversations, withArrivals, withMessages, withNewest, withoutDelivered, withPage, type History, type Source } from './ordering';
import { learnUsers } from './people';
import { fail, getState, onReset, setState } from './state';
import { syncGaps } from './sync';

const pageSize = 30;

export async function loadHistory(conversationId: string) {
  const h = getState().history[conversationId];
  if (h?.loading || (h?.loaded && !h.hasMore)) return;
  const before = h?.loaded ? h.items[0]?.seq : undefined;
  setHistory(conversationId, { ...(h ?? emptyHistory()), loading: true });
  try {
    const page = await api.get<Message[]>(`/conversations/${conversationId}/messages`, { beforeSeq: before, limit: pageSize });
    void learnUsers(page.map((m) => m.senderId));
    setHistory(conversationId, withPage(getState().history[conversationId] ?? emptyHistory(), page, before));
  } catch (e) {
    setHistory(conversationId, { ...(getState().history[conversationId] ?? emptyHistory()), loading: false });
    fail(e);
  }
}

/**
 * After a reconnect: the open conversation's newest page again, merged over what is shown. Sync brings only what
 * follows `upTo`; edits and reactions to messages already held that were missed while offline come this way.
 */
export async function refreshNewest(conversationId: string) {
  const h = getState().history[conversationId];
  if (!h?.loaded || h.loading) return;
  try {
    const page = await api.get<Message[]>(`/conversations/${conversationId}/messages`, { limit: pageSize });
    const now = getState().history[conversationId];
    if (now?.loaded) setHistory(conversationId, withNewest(now, page));
  } catch {
    /* what is shown stays; the next reconnect tries again */
  }
}

export function setHistory(id: string, h: History) {
  setState((s) => ({ history: { ...s.history, [id]: h } }));
}

/** Messages that arrived: into their histories, their rows of the list, and out of the pending sends and typing. */
export function receive(messages: Message[], source: Source) {
  if (!messages.length) return;
  void learnUsers(messages.map((m) => m.senderId));
  const state = getState();
  const me = state.me?.id;
  const history = { ...state.history };
  const pending = { ...state.pending };
  let conversations = state.conversations;
  let unknownConversation = false;
  const gaps: Record<string, number> = {};
  for (const [id, list] of byConversation(messages)) {
    // Kept even while the first page is still loading: the page is merged into these.
    if (history[id]) {
      const merged = withMessages(history[id], list, source);
      history[id] = merged.history;
      if (merged.gapAfter !== undefined) gaps[id] = merged.gapAfter;
    }
    // Our own messages sent from this device: the pending copy gives way to the stored one.
    const left = withoutDelivered(pending[id], list, me);
    if (left) pending[id] = left;
    if (!conversations.some((x) => x.id === id)) {
      unknownConversation = true;
      continue;
    }
    const reading = state.selected === id && document.visibilityState === 'visible';
    conversations = conversations.map((x) => (x.id === id ? withArrivals(x, list, me, reading) : x));
  }
  // Whoever just sent a message has stopped typing it.
  let typing = state.typing;
  for (const m of messages) {
    if (typing[m.conversationId]?.[m.senderId]) {
      const conv = { ...typing[m.conversationId] };
      delete conv[m.senderId];
      typing = { ...typing, [m.conversationId]: conv };
    }
  }
  setState({ history, pending, conversations: sortConversations(conversations), typing });
  if (unknownConversation) refreshConversations();
  syncGaps(gaps);
}

const readSent: Record<string, number> = {};
onReset(() => Object.keys(readSent).forEach((k) => delete readSent[k]));

/** `msg.read` up to the newest message held, once per seq (the list's badge clears at once). */
export function markRead(conversationId: string) {
  const state = getState();
  const h = state.history[conversationId];
  const last = h?.items[h.items.length - 1]?.seq;
  if (!last || (readSent[conversationId] ?? 0) >= last) return;
  const c = state.conversations.find((x) => x.id === conversationId);
  if (c && c.readSeq >= last && c.unreadCount === 0) return;
  readSent[conversationId] = last;
  setState((s) => ({ conversations: s.conversations.map((x) => (x.id === conversationId ? { ...x, readSeq: Math.max(x.readSeq, last), unreadCount: 0 } : x)) }));
  realtime.request('msg.read', { conversationId, seq: last }).catch(() => (readSent[conversationId] = 0));
}

export async function recall(m: Message) {
  try {
    await api.post(`/conversations/${m.conversationId}/messages/${m.id}/recall`);
    applyRecall(m.conversationId, m.id, m.seq);
  } catch (e) {
    fail(e);
  }
}

export function applyRecall(conversationId: string, messageId?: string, seq?: number) {
  const h = getState().history[conversationId];
  const recalled = (m: { id: string; seq: number }) => m.id === messageId || m.seq === seq;
  if (h) setHistory(conversationId, { ...h, items: h.items.map((m) => (recalled(m) ? { ...m, recalled: true, content: '', file: null } : m)) });
  setState((s) => ({
    conversations: s.conversations.map((c) =>
      c.id === conversationId && c.lastMessage && recalled(c.lastMessage) ? { ...c, lastMessage: { ...c.lastMessage, recalled: true, content: null, file: null } } : c,
    ),
  }));
}

/** Drops messages from a loaded history (deleted or cleared for me, here or on another of my devices). */
export function dropMessages(conversationId: string, gone: (m: Message) => boolean, patch: Partial<History> = {}) {
  const h = getState().history[conversationId];
  if (h) setHistory(conversationId, { ...h, items: h.items.filter((m) => !gone(m)), ...patch });
}

export async function deleteForMe(m: Message) {
  try {
    await api.del(`/conversations/${m.conversationId}/messages/${m.id}`);
    dropMessages(m.conversationId, (x) => x.id === m.id);
  } catch (e) {
    fail(e);
  }
}

export async function searchMessages(conversationId: string, q: string): Promise<Message[]> {
  const hits = await api.get<Message[]>(`/conversations/${conversationId}/messages/search`, { q });
  void learnUsers(hits.map((m) => m.senderId));
  return hits;
}
