// Message order and gaps, as pure functions over one conversation's history (docs/web-client.md, "Resync"):
// the history is kept sorted and unique by seq, so a message that arrives twice (an event and a sync, or a
// resend's echo) is held once; `upTo` is the seq up to which we hold everything the server would give us, and
// what `msg.sync` asks to follow. Unit-tested in ordering.test.ts; the store (history.ts) applies them.
import type { Conversation, LastMessage, Message } from '../types';

export interface History {
  items: Message[];
  hasMore: boolean;
  loading: boolean;
  loaded: boolean;
  /** Everything the server would give us up to this seq is here: `msg.sync` asks for what follows it. */
  upTo: number;
}

/** Where messages came from: a live `msg.new`, a `msg.batch` answering a sync, or the ack of our own send. */
export type Source = 'live' | 'sync' | 'own';

export function emptyHistory(): History {
  return { items: [], hasMore: true, loading: false, loaded: false, upTo: 0 };
}

/** Merges messages into a seq-sorted list, one per seq; a later copy (e.g. recalled since) wins. */
export function merge(items: Message[], more: Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const m of items) bySeq.set(m.seq, m);
  for (const m of more) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Moves `upTo` over the messages already held right after it (an ack can come before the messages below it). */
export function advance(items: Message[], upTo: number): number {
  const held = new Set(items.map((m) => m.seq));
  while (held.has(upTo + 1)) upTo++;
  return upTo;
}

/** Groups messages by conversation, each group in the order given. */
export function byConversation(messages: Message[]): Map<string, Message[]> {
  const groups = new Map<string, Message[]>();
  for (const m of messages) {
    const list = groups.get(m.conversationId);
    if (list) list.push(m);
    else groups.set(m.conversationId, [m]);
  }
  return groups;
}

/**
 * A page of history (newest first with `before`, or the newest page when `before` is undefined) merged in. Messages
 * I deleted are left out of pages, so a short page does not mean the start: only seq 1 or an empty page does.
 * Only the newest page moves `upTo`; older pages lie below it.
 */
export function withPage(h: History, page: Message[], before: number | undefined): History {
  const items = merge(h.items, page);
  const hasMore = page.length > 0 && !page.some((m) => m.seq <= 1);
  const upTo = before === undefined ? advance(items, Math.max(h.upTo, ...page.map((m) => m.seq))) : h.upTo;
  return { ...h, items, hasMore, loading: false, loaded: true, upTo };
}

/**
 * The newest page fetched again over a loaded history (after a reconnect): its copies win (edited, reacted to,
 * recalled since), `upTo` moves over it, and whether older pages remain is left as it was.
 */
export function withNewest(h: History, page: Message[]): History {
  const items = merge(h.items, page);
  return { ...h, items, upTo: advance(items, Math.max(h.upTo, ...page.map((m) => m.seq))) };
}

/**
 * Messages of one conversation (sorted by seq) merged into its history. Until the first page is loaded they are
 * only kept (the page is merged into them) and `upTo` stays. A sync batch is all there is after what was asked
 * (messages deleted for me aside, whose seqs would otherwise look like gaps), so it moves `upTo` to its last
 * seq. A live message that `upTo` cannot reach over what we hold means some were missed: `gapAfter` is the seq
 * to sync after.
 */
export function withMessages(h: History, list: Message[], source: Source): { history: History; gapAfter?: number } {
  const sorted = [...list].sort((a, b) => a.seq - b.seq);
  const items = merge(h.items, sorted);
  if (!h.loaded || !sorted.length) return { history: { ...h, items } };
  let upTo = h.upTo;
  if (source === 'sync') upTo = Math.max(upTo, sorted[sorted.length - 1].seq);
  upTo = advance(items, upTo);
  // A live message that does not follow on from what we hold: sync what lies between.
  const gapAfter = source === 'live' && upTo < sorted[sorted.length - 1].seq ? upTo : undefined;
  return { history: { ...h, items, upTo }, gapAfter };
}

/** Pending sends whose stored copy has arrived (ours, by `clientMsgId`) are dropped: the message is shown once. */
export function withoutDelivered<P extends { clientMsgId: string }>(pending: P[] | undefined, list: Message[], me: string | undefined): P[] | undefined {
  if (!pending?.length || !me) return pending;
  const mine = new Set(list.filter((m) => m.senderId === me).map((m) => m.clientMsgId));
  return pending.some((p) => mine.has(p.clientMsgId)) ? pending.filter((p) => !mine.has(p.clientMsgId)) : pending;
}

/** The list's `lastMessage` for a message we hold: the same structure the server sends (docs/conversations.md). */
export function lastMessageOf(m: Message): LastMessage {
  return {
    id: m.id,
    seq: m.seq,
    senderId: m.senderId,
    type: m.type,
    preview: typeof m.content === 'string' ? m.content : m.type === 'forward' ? forwardPreview(m.content) : '',
    sentAt: m.sentAt,
    recalled: m.recalled,
    content: !m.recalled && (m.type === 'call' || m.type === 'system') ? m.content : null,
    file: m.recalled ? null : m.file,
  };
}

/** A merged forward's preview as the server words it (Messaging/MessagePreview.cs): "[forward] " and its title. */
function forwardPreview(content: unknown): string {
  const title = (content as { title?: unknown } | null)?.title;
  return typeof title === 'string' && title ? '[forward] ' + title : '[forward]';
}

/**
 * A conversation row after messages of it arrived: the newest becomes its last message, and others' messages
 * after both the row's last seq and my read pointer count as unread unless I am reading it right now.
 */
export function withArrivals(c: Conversation, list: Message[], me: string | undefined, reading: boolean): Conversation {
  const newest = list.reduce<Message | undefined>((a, m) => (!a || m.seq > a.seq ? m : a), undefined);
  if (!newest || newest.seq <= c.lastSeq) return c;
  const incoming = list.filter((m) => m.seq > c.lastSeq && m.seq > c.readSeq && m.senderId !== me).length;
  return {
    ...c,
    lastSeq: newest.seq,
    lastMessage: lastMessageOf(newest),
    lastActivityAt: newest.sentAt,
    unreadCount: reading ? 0 : c.unreadCount + incoming,
    readSeq: newest.senderId === me ? Math.max(c.readSeq, newest.seq) : c.readSeq,
  };
}

/** Pinned first, then by last activity. */
export function sortConversations(list: Conversation[]): Conversation[] {
  const time = (c: Conversation) => Math.max(Date.parse(c.lastMessage?.sentAt ?? '') || 0, Date.parse(c.lastActivityAt ?? '') || 0);
  return [...list].sort((a, b) => Number(b.pinned) - Number(a.pinned) || time(b) - time(a));
}
