// The client's state and the actions on it. One plain object, replaced on change, with subscribers: small
// enough to need no library. Messages are kept per conversation sorted by seq and deduplicated by seq, so a
// message that arrives twice (an event and a sync, or a resend) is shown once.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText } from './api';
import { realtime, type Status } from './realtime';
import type { Ack, Conversation, FileRef, Friend, FriendRequest, Group, Message, MessageType, OwnProfile, ReplyQuote, UserProfile } from './types';

export interface PendingMessage {
  clientMsgId: string;
  type: MessageType;
  content: unknown;
  file?: FileRef | null;
  replyTo?: ReplyQuote | null;
  sentAt: string;
  state: 'uploading' | 'sending' | 'failed';
  progress?: number;
  error?: string;
}

export interface History {
  items: Message[];
  hasMore: boolean;
  loading: boolean;
  loaded: boolean;
  /** Everything the server would give us up to this seq is here: `msg.sync` asks for what follows it. */
  upTo: number;
}

export interface State {
  me: OwnProfile | null;
  status: Status;
  conversations: Conversation[];
  conversationsLoaded: boolean;
  history: Record<string, History>;
  pending: Record<string, PendingMessage[]>;
  peerRead: Record<string, Record<string, number>>;
  typing: Record<string, Record<string, number>>;
  presence: Record<string, boolean>;
  users: Record<string, { nickname: string; avatar?: string | null }>;
  friends: Friend[];
  requests: FriendRequest[];
  groups: Group[];
  selected: string | null;
  panel: 'chats' | 'contacts' | 'profile';
  notice: { text: string; kind: 'error' | 'info' } | null;
}

const initial = (): State => ({
  me: api.current?.user ?? null,
  status: 'offline',
  conversations: [],
  conversationsLoaded: false,
  history: {},
  pending: {},
  peerRead: {},
  typing: {},
  presence: {},
  users: {},
  friends: [],
  requests: [],
  groups: [],
  selected: null,
  panel: 'chats',
  notice: null,
});

let state: State = initial();
const subscribers = new Set<() => void>();

export function getState() {
  return state;
}

export function setState(patch: Partial<State> | ((s: State) => Partial<State>)) {
  state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
  for (const s of subscribers) s();
}

/** Re-renders the component when the selected part of the state changes (by identity). */
export function useStore<T>(select: (s: State) => T): T {
  const [value, setValue] = useState(() => select(state));
  useEffect(() => {
    const check = () => setValue(() => select(state));
    subscribers.add(check);
    check();
    return () => void subscribers.delete(check);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  return value;
}

export function notify(text: string, kind: 'error' | 'info' = 'error') {
  setState({ notice: { text, kind } });
}

export function fail(e: unknown) {
  notify(errorText(e));
}

// ---------------------------------------------------------------------------------------------------------
// names and people

export function displayName(userId: string | undefined): string {
  if (!userId) return '';
  if (userId === state.me?.id) return 'You';
  const f = state.friends.find((x) => x.userId === userId);
  if (f) return f.remark || f.nickname;
  return state.users[userId]?.nickname ?? 'Someone';
}

export function conversationTitle(c: Conversation): string {
  if (c.kind === 'group') return c.group?.name ?? 'Group';
  const peerId = peerIdOf(c);
  const f = state.friends.find((x) => x.userId === peerId);
  return f?.remark || c.peer?.name || c.peer?.nickname || f?.nickname || 'Conversation';
}

export function peerIdOf(c: Conversation): string | undefined {
  return c.peer?.id ?? c.peer?.userId;
}

export function isOnline(c: Conversation): boolean {
  const peer = peerIdOf(c);
  if (peer && peer in state.presence) return state.presence[peer];
  return !!c.online;
}

function remember(users: Array<{ id?: string; userId?: string; nickname: string; avatar?: string | null }>) {
  const next = { ...state.users };
  for (const u of users) {
    const id = u.id ?? u.userId;
    if (id) next[id] = { nickname: u.nickname, avatar: u.avatar };
  }
  setState({ users: next });
}

const asked = new Set<string>();

async function learnUsers(ids: string[]) {
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

// ---------------------------------------------------------------------------------------------------------
// loading

let listTimer: ReturnType<typeof setTimeout> | undefined;

/** Reloads the conversation list (debounced: many events can ask for it at once). */
export function refreshConversations(delay = 150) {
  clearTimeout(listTimer);
  listTimer = setTimeout(() => void loadConversations(), delay);
}

let listLoads = 0;
let latestListLoad: Promise<void> = Promise.resolve();

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
      const list = await api.get<Conversation[] | { conversations?: Conversation[]; items?: Conversation[]; nextCursor?: string | null }>('/conversations', { limit: 200, cursor });
      all.push(...(Array.isArray(list) ? list : (list.conversations ?? list.items ?? [])));
      cursor = Array.isArray(list) ? undefined : (list.nextCursor ?? undefined);
      if (!cursor) break;
    }
    const seen = new Set<string>();
    const items = all.filter((c) => !c.hidden && !seen.has(c.id) && seen.add(c.id));
    if (load !== listLoads) return; // a later reload (a newer list) is on its way
    const peerRead = { ...state.peerRead };
    for (const c of items) {
      const peer = peerIdOf(c);
      if (peer && typeof c.peerReadSeq === 'number') peerRead[c.id] = { ...peerRead[c.id], [peer]: Math.max(peerRead[c.id]?.[peer] ?? 0, c.peerReadSeq) };
    }
    remember(items.filter((c) => c.peer).map((c) => ({ id: peerIdOf(c), nickname: c.peer!.nickname, avatar: c.peer!.avatar })));
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
  const h = state.history[c.id];
  if (state.selected === c.id && h?.loaded && document.visibilityState === 'visible') return { ...c, unreadCount: 0 };
  return c;
}

export function sortConversations(list: Conversation[]): Conversation[] {
  const time = (c: Conversation) => Math.max(Date.parse(c.lastMessage?.sentAt ?? '') || 0, Date.parse(c.lastActivityAt ?? '') || 0);
  return [...list].sort((a, b) => Number(b.pinned) - Number(a.pinned) || time(b) - time(a));
}

export async function loadContacts() {
  try {
    const [friends, requests, groups] = await Promise.all([
      api.get<Friend[]>('/friends'),
      api.get<FriendRequest[]>('/friend-requests', { direction: 'incoming' }),
      api.get<Group[]>('/groups'),
    ]);
    const presence = { ...state.presence };
    for (const f of friends) presence[f.userId] = f.online;
    setState({ friends, requests: requests.filter((r) => r.status === 'pending'), groups, presence });
  } catch (e) {
    fail(e);
  }
}

const pageSize = 30;

export async function loadHistory(conversationId: string) {
  const h = state.history[conversationId];
  if (h?.loading || (h?.loaded && !h.hasMore)) return;
  const before = h?.loaded ? h.items[0]?.seq : undefined;
  setHistory(conversationId, { ...(h ?? emptyHistory()), loading: true });
  try {
    const page = await api.get<Message[] | { items: Message[]; hasMore?: boolean }>(`/conversations/${conversationId}/messages`, {
      beforeSeq: before,
      limit: pageSize,
    });
    const items = Array.isArray(page) ? page : page.items;
    // Messages I deleted are left out, so a short page does not mean the start: only seq 1 or an empty page does.
    const hasMore = items.length > 0 && !items.some((m) => m.seq <= 1);
    void learnUsers(items.map((m) => m.senderId));
    const cur = state.history[conversationId] ?? emptyHistory();
    const merged = merge(cur.items, items);
    const upTo = before === undefined ? advance(merged, Math.max(cur.upTo, ...items.map((m) => m.seq))) : cur.upTo;
    setHistory(conversationId, { ...cur, items: merged, hasMore, loading: false, loaded: true, upTo });
  } catch (e) {
    setHistory(conversationId, { ...(state.history[conversationId] ?? emptyHistory()), loading: false });
    fail(e);
  }
}

function emptyHistory(): History {
  return { items: [], hasMore: true, loading: false, loaded: false, upTo: 0 };
}

function setHistory(id: string, h: History) {
  setState((s) => ({ history: { ...s.history, [id]: h } }));
}

/** Merges messages into a seq-sorted list, one per seq; a later copy (recalled) wins. */
function merge(items: Message[], more: Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const m of items) bySeq.set(m.seq, m);
  for (const m of more) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// ---------------------------------------------------------------------------------------------------------
// receiving

/** Moves `upTo` over the messages already held right after it (an ack can come before the messages below it). */
function advance(items: Message[], upTo: number): number {
  const held = new Set(items.map((m) => m.seq));
  while (held.has(upTo + 1)) upTo++;
  return upTo;
}

const gapSyncs = new Set<string>();

export function receive(messages: Message[], source: 'live' | 'sync' | 'own') {
  if (!messages.length) return;
  void learnUsers(messages.map((m) => m.senderId));
  const byConv = new Map<string, Message[]>();
  for (const m of messages) byConv.set(m.conversationId, [...(byConv.get(m.conversationId) ?? []), m]);
  const history = { ...state.history };
  const pending = { ...state.pending };
  let conversations = state.conversations;
  let unknownConversation = false;
  const gaps: Record<string, number> = {};
  for (const [id, list] of byConv) {
    const h = history[id];
    if (h) {
      // Kept even while the first page is still loading: the page is merged into these.
      const items = merge(h.items, list);
      let upTo = h.upTo;
      if (h.loaded) {
        if (source === 'sync') upTo = Math.max(upTo, list[list.length - 1].seq); // a sync batch: all there is after what we asked
        else if (source === 'live' && list[0].seq > upTo + 1) gaps[id] = upTo; // a message skipped ahead: sync the gap
        upTo = advance(items, upTo);
      }
      history[id] = { ...h, items, upTo };
    }
    // Our own messages sent from this device: the pending copy gives way to the stored one.
    const mine = new Set(list.filter((m) => m.senderId === state.me?.id).map((m) => m.clientMsgId));
    if (pending[id]?.some((p) => mine.has(p.clientMsgId))) pending[id] = pending[id].filter((p) => !mine.has(p.clientMsgId));
    const c = conversations.find((x) => x.id === id);
    if (!c) {
      unknownConversation = true;
      continue;
    }
    const newest = list[list.length - 1];
    const isNew = newest.seq > c.lastSeq;
    const incoming = list.filter((m) => m.seq > c.lastSeq && m.seq > c.readSeq && m.senderId !== state.me?.id).length;
    const reading = state.selected === id && document.visibilityState === 'visible';
    conversations = conversations.map((x) =>
      x.id !== id || !isNew
        ? x
        : {
            ...x,
            lastSeq: newest.seq,
            lastMessage: { id: newest.id, seq: newest.seq, senderId: newest.senderId, type: newest.type, content: newest.content, sentAt: newest.sentAt, recalled: newest.recalled, preview: previewOf(newest) },
            unreadCount: reading ? 0 : x.unreadCount + incoming,
            readSeq: newest.senderId === state.me?.id ? Math.max(x.readSeq, newest.seq) : x.readSeq,
          },
    );
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
  for (const id of Object.keys(gaps)) if (gapSyncs.has(id)) delete gaps[id];
  if (Object.keys(gaps).length) {
    for (const id of Object.keys(gaps)) gapSyncs.add(id);
    void sync(gaps)
      .catch(() => undefined) // the next reconnect syncs anyway
      .finally(() => Object.keys(gaps).forEach((id) => gapSyncs.delete(id)));
  }
}

const serverLabels: Record<string, string> = {
  '[image]': 'Photo',
  '[voice]': 'Voice message',
  '[video]': 'Video',
  '[file]': 'File',
  '[recalled]': 'Message recalled',
  '[voice call]': 'Voice call',
  '[video call]': 'Video call',
  '[emoji]': 'Emoji',
  '[system]': 'Notice',
};

export function previewOf(m: { type?: MessageType; content?: unknown; recalled?: boolean; file?: FileRef | null; preview?: string }): string {
  if (m.recalled) return 'Message recalled';
  if (m.preview && m.content === undefined) return serverLabels[m.preview] ?? (m.preview.startsWith('[file] ') ? 'File: ' + m.preview.slice(7) : m.preview.replace(/^\[(voice|video) call\]/, (_, k: string) => (k === 'video' ? 'Video call' : 'Voice call') + ' ·'));
  switch (m.type) {
    case 'text':
    case 'emoji':
      return typeof m.content === 'string' ? m.content : '';
    case 'image':
      return 'Photo';
    case 'voice':
      return 'Voice message';
    case 'video':
      return 'Video';
    case 'file':
      return 'File' + (m.file?.name ? ': ' + m.file.name : '');
    case 'call': {
      const c = m.content as { media?: string } | undefined;
      return c?.media === 'video' ? 'Video call' : 'Voice call';
    }
    case 'system':
      return systemText(m.content);
    default:
      return m.preview ?? '';
  }
}

interface SystemEvent {
  event?: string;
  text?: string;
  actorId?: string;
  actorName?: string;
  userIds?: string[];
  userNames?: string[];
  via?: string;
  name?: string;
  notice?: string;
  role?: string;
  until?: string;
}

/** A group system message (docs/protocol.md "group system messages") in words. */
export function systemText(content: unknown): string {
  if (typeof content === 'string') return content;
  const e = (content ?? {}) as SystemEvent;
  const actor = e.actorId === state.me?.id ? 'You' : (e.actorName ?? displayName(e.actorId));
  const names = (e.userIds ?? []).map((id, i) => (id === state.me?.id ? 'you' : (e.userNames?.[i] ?? displayName(id)))).join(', ');
  switch (e.event) {
    case 'group.created':
      return `${actor} created "${e.name ?? 'the group'}"${names ? ' with ' + names : ''}`;
    case 'member.joined':
      return e.via === 'request' ? `${names} joined` : e.via === 'approval' ? `${actor} let ${names} in` : `${actor} added ${names}`;
    case 'member.left':
      return `${actor} left`;
    case 'member.removed':
      return `${actor} removed ${names}`;
    case 'name.changed':
      return `${actor} renamed the group "${e.name ?? ''}"`;
    case 'notice.changed':
      return e.notice ? `${actor} changed the notice: ${e.notice}` : `${actor} cleared the notice`;
    case 'owner.changed':
      return `${actor} made ${names} the owner`;
    case 'role.changed':
      return `${actor} made ${names} ${e.role === 'admin' ? 'an admin' : 'a member'}`;
    case 'group.muted':
      return `${actor} muted the group`;
    case 'group.unmuted':
      return `${actor} unmuted the group`;
    default:
      return e.text ?? 'Group updated';
  }
}

const SYNC_CHUNK = 500;

/** msg.sync for the given conversations (after seq) and apply the batches. */
export async function sync(after: Record<string, number>) {
  // The server takes at most 1,000 conversations per msg.sync frame (Messaging:MaxSyncConversations).
  const entries = Object.entries(after);
  const refused: string[] = [];
  for (let i = 0; i < entries.length; i += SYNC_CHUNK) {
    const done = await realtime.request('msg.sync', { conversations: Object.fromEntries(entries.slice(i, i + SYNC_CHUNK)) }, 60_000);
    refused.push(...((done.data?.refused as string[] | undefined) ?? []));
  }
  // Conversations I may no longer read (I left the group, it was dissolved): forget what was loaded.
  if (refused.length) {
    setState((s) => {
      const history = { ...s.history };
      for (const id of refused) delete history[id];
      return { history, conversations: s.conversations.filter((c) => !refused.includes(c.id)), selected: s.selected && refused.includes(s.selected) ? null : s.selected };
    });
  }
}

/** After every (re)connect: fill what we missed in every loaded conversation, and reload the list. */
export async function resync() {
  const after: Record<string, number> = {};
  for (const [id, h] of Object.entries(state.history)) if (h.loaded) after[id] = h.upTo;
  void loadConversations();
  void loadContacts();
  await sync(after);
}

// ---------------------------------------------------------------------------------------------------------
// sending

function newClientMsgId(): string {
  return crypto.randomUUID();
}

/** The `to` of a send: a conversation id, or `user:<id>` for a friend we have no conversation with yet. */
function target(key: string): Record<string, string> {
  if (key.startsWith('user:')) return { userId: key.slice(5) };
  return { conversationId: key };
}

function addPending(key: string, p: PendingMessage) {
  setState((s) => ({ pending: { ...s.pending, [key]: [...(s.pending[key] ?? []), p] } }));
}

function updatePending(key: string, clientMsgId: string, patch: Partial<PendingMessage>) {
  setState((s) => ({ pending: { ...s.pending, [key]: (s.pending[key] ?? []).map((p) => (p.clientMsgId === clientMsgId ? { ...p, ...patch } : p)) } }));
}

function dropPending(key: string, clientMsgId: string) {
  setState((s) => ({ pending: { ...s.pending, [key]: (s.pending[key] ?? []).filter((p) => p.clientMsgId !== clientMsgId) } }));
}

export async function send(key: string, type: MessageType, content: unknown, file?: FileRef | null, replyTo?: Message | null, clientMsgId = newClientMsgId()) {
  const quote: ReplyQuote | null = replyTo ? { messageId: replyTo.id, seq: replyTo.seq, senderId: replyTo.senderId, type: replyTo.type, preview: previewOf(replyTo) } : null;
  if (!state.pending[key]?.some((p) => p.clientMsgId === clientMsgId))
    addPending(key, { clientMsgId, type, content, file, replyTo: quote, sentAt: new Date().toISOString(), state: 'sending' });
  else updatePending(key, clientMsgId, { state: 'sending', error: undefined });
  const data: Record<string, unknown> & { clientMsgId: string } = { to: target(key), clientMsgId, type, content };
  if (file) data.file = file;
  if (replyTo) data.replyTo = replyTo.id;
  try {
    const ack = await realtime.send(data);
    acknowledged(key, { clientMsgId, type, content, file, replyTo: quote }, ack);
  } catch (e) {
    updatePending(key, clientMsgId, { state: 'failed', error: errorText(e) });
  }
}

function acknowledged(key: string, sent: { clientMsgId: string; type: MessageType; content: unknown; file?: FileRef | null; replyTo?: ReplyQuote | null }, ack: Ack) {
  const me = state.me!.id;
  const message: Message = {
    id: ack.messageId,
    conversationId: ack.conversationId,
    seq: ack.seq,
    senderId: me,
    clientMsgId: sent.clientMsgId,
    type: sent.type,
    content: sent.content,
    file: sent.file ?? null,
    replyTo: sent.replyTo ?? null,
    sentAt: ack.sentAt,
    recalled: false,
  };
  dropPending(key, sent.clientMsgId);
  if (key !== ack.conversationId) {
    // The first message to a friend made the conversation: from now on it is addressed by its id.
    const moved = state.pending[key] ?? [];
    setState((s) => ({
      pending: { ...s.pending, [key]: [], [ack.conversationId]: [...(s.pending[ack.conversationId] ?? []), ...moved] },
      selected: s.selected === key ? ack.conversationId : s.selected,
    }));
    if (!state.history[ack.conversationId]) void loadHistory(ack.conversationId);
    refreshConversations(0);
    return;
  }
  receive([message], 'own');
}

/** Sends a file: upload with progress, then the message that carries it. */
export async function sendFile(key: string, blob: Blob, name: string, type: MessageType, extra: Partial<FileRef> = {}, replyTo?: Message | null) {
  const clientMsgId = newClientMsgId();
  const local: FileRef = { fileId: '', name, size: blob.size, contentType: blob.type, url: URL.createObjectURL(blob), ...extra };
  addPending(key, { clientMsgId, type, content: '', file: local, sentAt: new Date().toISOString(), state: 'uploading', progress: 0 });
  try {
    const uploaded = await api.upload(blob, name, type, (progress) => updatePending(key, clientMsgId, { progress }));
    await send(key, type, '', { ...extra, ...uploaded, durationMs: uploaded.durationMs ?? extra.durationMs }, replyTo, clientMsgId);
  } catch (e) {
    updatePending(key, clientMsgId, { state: 'failed', error: errorText(e) });
  }
}

export function retry(key: string, p: PendingMessage) {
  if (p.file && !p.file.fileId) {
    dropPending(key, p.clientMsgId);
    notify('Please attach the file again.', 'info');
    return;
  }
  void send(key, p.type, p.content, p.file, null, p.clientMsgId);
}

export function discard(key: string, p: PendingMessage) {
  dropPending(key, p.clientMsgId);
}

// ---------------------------------------------------------------------------------------------------------
// read state, recall, delete

const readSent: Record<string, number> = {};

export function markRead(conversationId: string) {
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
  const h = state.history[conversationId];
  if (h) setHistory(conversationId, { ...h, items: h.items.map((m) => (m.id === messageId || m.seq === seq ? { ...m, recalled: true } : m)) });
  setState((s) => ({
    conversations: s.conversations.map((c) =>
      c.id === conversationId && c.lastMessage && (c.lastMessage.id === messageId || c.lastMessage.seq === seq) ? { ...c, lastMessage: { ...c.lastMessage, recalled: true } } : c,
    ),
  }));
}

export async function deleteForMe(m: Message) {
  try {
    await api.del(`/conversations/${m.conversationId}/messages/${m.id}`);
    const h = state.history[m.conversationId];
    if (h) setHistory(m.conversationId, { ...h, items: h.items.filter((x) => x.id !== m.id) });
  } catch (e) {
    fail(e);
  }
}

export async function searchMessages(conversationId: string, q: string): Promise<Message[]> {
  const hits = await api.get<Message[] | { items: Message[] }>(`/conversations/${conversationId}/messages/search`, { q });
  const items = Array.isArray(hits) ? hits : hits.items;
  void learnUsers(items.map((m) => m.senderId));
  return items;
}

export async function setConversationFlags(c: Conversation, flags: { pinned?: boolean; muted?: boolean }) {
  try {
    await api.patch(`/conversations/${c.id}`, flags);
    setState((s) => ({ conversations: sortConversations(s.conversations.map((x) => (x.id === c.id ? { ...x, ...flags } : x))) }));
  } catch (e) {
    fail(e);
  }
}

// ---------------------------------------------------------------------------------------------------------
// events

const typingTimers: Record<string, ReturnType<typeof setTimeout>> = {};

export function wireEvents() {
  realtime.onStatus = (status) => setState({ status });
  realtime.onConnected = () => resync();
  realtime.on('msg.new', (m: Message) => receive([m], 'live'));
  realtime.on('msg.batch', (b: { messages: Message[] }) => receive(b.messages ?? [], 'sync'));
  realtime.on('msg.read', (r: { conversationId: string; userId: string; seq: number }) => {
    if (r.userId === state.me?.id) {
      // Read on another of my devices.
      setState((s) => ({
        conversations: s.conversations.map((c) => (c.id === r.conversationId && r.seq > c.readSeq ? { ...c, readSeq: r.seq, unreadCount: Math.max(0, c.lastSeq - r.seq) } : c)),
      }));
      return;
    }
    setState((s) => ({
      peerRead: { ...s.peerRead, [r.conversationId]: { ...s.peerRead[r.conversationId], [r.userId]: Math.max(s.peerRead[r.conversationId]?.[r.userId] ?? 0, r.seq) } },
    }));
  });
  realtime.on('msg.recalled', (r: { conversationId: string; messageId?: string; id?: string; seq?: number }) => applyRecall(r.conversationId, r.messageId ?? r.id, r.seq));
  // Deleted or cleared for me on another of my devices.
  realtime.on('msg.deleted', (d: { conversationId: string; messageId: string; seq: number }) => {
    const h = state.history[d.conversationId];
    if (h) setHistory(d.conversationId, { ...h, items: h.items.filter((m) => m.id !== d.messageId && m.seq !== d.seq) });
    refreshConversations();
  });
  realtime.on('conversation.cleared', (d: { conversationId: string; clearedSeq: number }) => {
    const h = state.history[d.conversationId];
    if (h) setHistory(d.conversationId, { ...h, items: h.items.filter((m) => m.seq > d.clearedSeq), hasMore: false });
    refreshConversations();
  });
  realtime.on('group.dissolved', (d: { groupId: string }) => {
    const c = state.conversations.find((x) => x.group?.id === d.groupId);
    if (c && state.selected === c.id) setState({ selected: null });
  });
  realtime.on('typing', (t: { conversationId: string; userId: string }) => {
    const key = t.conversationId + ':' + t.userId;
    clearTimeout(typingTimers[key]);
    setState((s) => ({ typing: { ...s.typing, [t.conversationId]: { ...s.typing[t.conversationId], [t.userId]: Date.now() } } }));
    typingTimers[key] = setTimeout(() => {
      setState((s) => {
        const conv = { ...s.typing[t.conversationId] };
        delete conv[t.userId];
        return { typing: { ...s.typing, [t.conversationId]: conv } };
      });
    }, 5000);
  });
  realtime.on('conversation.updated', (u: { conversationId: string; pinned: boolean; muted: boolean; hidden: boolean }) => {
    if (u.hidden) setState((s) => ({ conversations: s.conversations.filter((c) => c.id !== u.conversationId) }));
    else if (!state.conversations.some((c) => c.id === u.conversationId)) refreshConversations();
    else setState((s) => ({ conversations: sortConversations(s.conversations.map((c) => (c.id === u.conversationId ? { ...c, pinned: u.pinned, muted: u.muted } : c))) }));
  });
  realtime.on('presence', (p: { userId: string; online: boolean }) => setState((s) => ({ presence: { ...s.presence, [p.userId]: p.online } })));
  for (const type of ['friend.request', 'friend.added', 'friend.removed', 'group.updated', 'group.member.joined', 'group.member.left', 'group.dissolved', 'group.member.updated', 'group.join-request'])
    realtime.on(type, () => {
      void loadContacts();
      refreshConversations();
    });
  realtime.on('friend.request', (d: { request?: FriendRequest }) => {
    if (d?.request?.status === 'pending' && d.request.toUserId === state.me?.id) notify(`${d.request.from?.nickname ?? 'Someone'} wants to be your friend.`, 'info');
  });
}

export function reset() {
  // Another account may sign in in this tab: nothing of the last one's may leak into it.
  for (const k of Object.keys(readSent)) delete readSent[k];
  asked.clear();
  gapSyncs.clear();
  listLoads++; // a list still loading for the last account is dropped
  state = { ...initial(), me: null };
  for (const s of subscribers) s();
}
