// The socket's events (docs/protocol.md) wired to the state.
import { realtime } from '../realtime';
import type {
  ClearedEvent,
  ConversationUpdatedEvent,
  DeletedEvent,
  FriendRequestEvent,
  GroupDissolvedEvent,
  Message,
  MessageBatchEvent,
  PresenceEvent,
  ReadReceipt,
  RecalledEvent,
  TypingEvent,
} from '../types';
import { loadContacts, refreshConversations } from './conversations';
import { applyRecall, dropMessages, receive } from './history';
import { applyEdit, applyReaction } from './messageActions';
import type { EditedEvent, ReactionEvent } from './messageChanges';
import { announce } from './notifications';
import { sortConversations } from './ordering';
import { getState, notify, setState } from './state';
import { resync } from './sync';

const typingTimers: Record<string, ReturnType<typeof setTimeout>> = {};

/** How long a `typing` shows "typing…" unless that person's message comes first. */
const typingMs = 5000;

export function wireEvents() {
  realtime.onStatus = (status) => setState({ status });
  realtime.onConnected = () => resync();
  realtime.on('msg.new', (m: Message) => {
    receive([m], 'live');
    announce(m);
  });
  realtime.on('msg.batch', (b: MessageBatchEvent) => receive(b.messages ?? [], 'sync'));
  realtime.on('msg.read', (r: ReadReceipt) => {
    if (r.userId === getState().me?.id) {
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
  realtime.on('msg.recalled', (r: RecalledEvent) => applyRecall(r.conversationId, r.messageId, r.seq));
  // Edits and reactions: everyone's, and mine from my other devices (or echoing this one's: applying twice is harmless).
  realtime.on('msg.edited', (e: EditedEvent) => applyEdit(e));
  realtime.on('msg.reaction', (e: ReactionEvent) => applyReaction(e));
  // Deleted or cleared for me on another of my devices.
  realtime.on('msg.deleted', (d: DeletedEvent) => {
    dropMessages(d.conversationId, (m) => m.id === d.messageId || m.seq === d.seq);
    refreshConversations();
  });
  realtime.on('conversation.cleared', (d: ClearedEvent) => {
    dropMessages(d.conversationId, (m) => m.seq <= d.clearedSeq, { hasMore: false });
    refreshConversations();
  });
  realtime.on('group.dissolved', (d: GroupDissolvedEvent) => {
    const state = getState();
    const c = state.conversations.find((x) => x.group?.id === d.groupId);
    if (c && state.selected === c.id) setState({ selected: null });
  });
  realtime.on('typing', (t: TypingEvent) => {
    const key = t.conversationId + ':' + t.userId;
    clearTimeout(typingTimers[key]);
    setState((s) => ({ typing: { ...s.typing, [t.conversationId]: { ...s.typing[t.conversationId], [t.userId]: Date.now() } } }));
    typingTimers[key] = setTimeout(() => {
      setState((s) => {
        const conv = { ...s.typing[t.conversationId] };
        delete conv[t.userId];
        return { typing: { ...s.typing, [t.conversationId]: conv } };
      });
    }, typingMs);
  });
  realtime.on('conversation.updated', (u: ConversationUpdatedEvent) => {
    if ('messageTtlSeconds' in u) {
      setState((s) => ({ conversations: s.conversations.map((c) => (c.id === u.conversationId ? { ...c, messageTtlSeconds: u.messageTtlSeconds ?? null } : c)) }));
      return;
    }
    if (u.hidden) setState((s) => ({ conversations: s.conversations.filter((c) => c.id !== u.conversationId) }));
    else if (!getState().conversations.some((c) => c.id === u.conversationId)) refreshConversations();
    else setState((s) => ({ conversations: sortConversations(s.conversations.map((c) => (c.id === u.conversationId ? { ...c, pinned: u.pinned ?? c.pinned, muted: u.muted ?? c.muted } : c))) }));
  });
  realtime.on('presence', (p: PresenceEvent) => setState((s) => ({ presence: { ...s.presence, [p.userId]: p.online } })));
  for (const type of ['friend.request', 'friend.added', 'friend.removed', 'group.updated', 'group.member.joined', 'group.member.left', 'group.dissolved', 'group.member.updated', 'group.join-request'])
    realtime.on(type, () => {
      void loadContacts();
      refreshConversations();
    });
  realtime.on('friend.request', (d: FriendRequestEvent) => {
    const me = getState().me?.id;
    if (d?.request?.status === 'pending' && d.request.toUserId === me) notify(`${d.request.from?.nickname ?? 'Someone'} wants to be your friend.`, 'info');
  });
}
