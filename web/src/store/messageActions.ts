// Editing my text messages and reacting to messages (docs/messages.md, "Edit" and "Reactions"): the HTTP calls,
// and the `msg.edited` / `msg.reaction` events (mine from other devices, everyone else's) applied to what is shown.
import { api } from '../api';
import type { Message, ReactionCount } from '../types';
import { lastMessageWithEdit, withEdit, withReaction, withReactionEvent, type EditedEvent, type ReactionEvent } from './messageChanges';
import { fail, getState, setState } from './state';

/** The emoji the reaction picker offers. */
export const reactionChoices = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/** Saves an edit; resolves when the server took it, rejects (an ApiError in words) when it refused. */
export async function editMessage(m: Message, content: string): Promise<void> {
  const edited = await api.patch<Message>(`/conversations/${m.conversationId}/messages/${m.id}`, { content });
  applyEdit({ conversationId: m.conversationId, messageId: m.id, seq: m.seq, content: String(edited?.content ?? content), editedAt: edited?.editedAt ?? new Date().toISOString() });
}

/** An edit (`msg.edited`, or my own saved): into the loaded history and the list's preview. */
export function applyEdit(e: EditedEvent) {
  setState((s) => {
    const h = s.history[e.conversationId];
    const history = h ? { ...s.history, [e.conversationId]: { ...h, items: withEdit(h.items, e) } } : s.history;
    const conversations = s.conversations.map((c) => (c.id === e.conversationId && c.lastMessage?.id === e.messageId ? { ...c, lastMessage: lastMessageWithEdit(c.lastMessage, e) ?? null } : c));
    return { history, conversations };
  });
}

/** A reaction event (anyone's, mine from another device included) into the loaded history. */
export function applyReaction(e: ReactionEvent) {
  setState((s) => {
    const h = s.history[e.conversationId];
    if (!h) return {};
    return { history: { ...s.history, [e.conversationId]: { ...h, items: withReactionEvent(h.items, e, s.me?.id) } } };
  });
}

function setReactions(m: Message, reactions: ReactionCount[] | undefined) {
  setState((s) => {
    const h = s.history[m.conversationId];
    if (!h) return {};
    return { history: { ...s.history, [m.conversationId]: { ...h, items: h.items.map((x) => (x.id === m.id ? { ...x, reactions } : x)) } } };
  });
}

/** Adds my reaction, or takes it back when I already reacted with that emoji; shown at once, undone if refused. */
export async function toggleReaction(m: Message, emoji: string) {
  const me = getState().me?.id;
  const current = getState().history[m.conversationId]?.items.find((x) => x.id === m.id) ?? m;
  const added = !current.reactions?.some((r) => r.emoji === emoji && r.me);
  const before = current.reactions;
  setReactions(m, withReaction(before, { emoji, userId: me ?? '', added }, me));
  const path = `/conversations/${m.conversationId}/messages/${m.id}/reactions/${encodeURIComponent(emoji)}`;
  try {
    if (added) await api.request('PUT', path);
    else await api.del(path);
  } catch (e) {
    // Back to what it was: the server did not change it (an event from elsewhere meanwhile is rare and self-heals on reload).
    setReactions(m, withReaction(getState().history[m.conversationId]?.items.find((x) => x.id === m.id)?.reactions, { emoji, userId: me ?? '', added: !added }, me));
    fail(e);
  }
}
