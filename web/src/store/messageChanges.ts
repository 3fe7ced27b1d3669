// Changes to messages already shown (docs/messages.md, "Edit" and "Reactions"), as pure functions: an edit replaces
// a text's content and marks it edited; a reaction event moves one emoji's count. Unit-tested in
// messageChanges.test.ts; history.ts applies them to the state.
import type { LastMessage, Message, ReactionCount } from '../types';

/** `msg.edited` (and the answer to my own PATCH): the message's new text and when it changed. */
export interface EditedEvent {
  conversationId: string;
  messageId: string;
  seq: number;
  content: string;
  editedAt: string;
}

/** `msg.reaction`: one user added (or took back) one emoji on one message. */
export interface ReactionEvent {
  conversationId: string;
  messageId: string;
  emoji: string;
  userId: string;
  added: boolean;
}

const matches = (m: { id: string; seq: number }, e: { messageId: string; seq?: number }) => m.id === e.messageId || (e.seq !== undefined && m.seq === e.seq);

/**
 * A history's messages after an edit: the edited one gets the new content and `editedAt`, and replies that quote it
 * get the new words in their quote (the server does the same for history it serves). An edit older than what is
 * shown (events can cross a history page) is ignored.
 */
export function withEdit(items: Message[], e: EditedEvent): Message[] {
  let changed = false;
  const next = items.map((m) => {
    if (matches(m, e) && !m.recalled) {
      if (m.editedAt && Date.parse(m.editedAt) > Date.parse(e.editedAt)) return m;
      changed = true;
      return { ...m, content: e.content, editedAt: e.editedAt };
    }
    if (m.replyTo && m.replyTo.messageId === e.messageId && !m.replyTo.recalled) {
      changed = true;
      return { ...m, replyTo: { ...m.replyTo, preview: e.content } };
    }
    return m;
  });
  return changed ? next : items;
}

/** The conversation list's last message after an edit of it (a text's preview is its words). */
export function lastMessageWithEdit(last: LastMessage | null | undefined, e: EditedEvent): LastMessage | null | undefined {
  if (!last || !matches(last, e) || last.recalled) return last;
  return { ...last, preview: e.content, editedAt: e.editedAt };
}

/**
 * One message's reaction counts after an event. My own reactions are a state (`me`), so an event about me that says
 * what I already show (my click was applied at once, then the server's event came) changes nothing; someone else's
 * adds or takes one. An emoji at zero goes; no reactions at all is `undefined`, as the server leaves them out.
 */
export function withReaction(reactions: ReactionCount[] | null | undefined, e: Pick<ReactionEvent, 'emoji' | 'userId' | 'added'>, me: string | undefined): ReactionCount[] | undefined {
  const list = reactions ?? [];
  const mine = e.userId === me;
  const at = list.findIndex((r) => r.emoji === e.emoji);
  const current = at >= 0 ? list[at] : { emoji: e.emoji, count: 0, me: false };
  if (mine && current.me === e.added) return list.length ? list : undefined;
  const count = Math.max(0, Number(current.count) + (e.added ? 1 : -1));
  const updated: ReactionCount = { emoji: e.emoji, count, me: mine ? e.added : current.me };
  const next = at >= 0 ? list.map((r, i) => (i === at ? updated : r)) : [...list, updated];
  const kept = next.filter((r) => Number(r.count) > 0);
  return kept.length ? kept : undefined;
}

/** A history's messages after a reaction event (the message may not be loaded: then nothing changes). */
export function withReactionEvent(items: Message[], e: ReactionEvent, me: string | undefined): Message[] {
  const at = items.findIndex((m) => m.id === e.messageId);
  if (at < 0) return items;
  const next = [...items];
  next[at] = { ...items[at], reactions: withReaction(items[at].reactions, e, me) };
  return next;
}

/** The newest of my text messages, not recalled: what Up in an empty composer edits. */
export function lastEditable(items: Message[], me: string | undefined): Message | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i];
    if (m.senderId === me && m.type === 'text' && !m.recalled) return m;
  }
  return undefined;
}
