// A message in words, composed here from its structure (type, content, file), never from the server's English
// labels: the list's `lastMessage` carries the same `type`, `content` (call record, group event) and `file` as a
// message does (docs/conversations.md), so one function words both. Pure: who is who comes in as `Names`.
import type { CallContent, FileRef, MergedForwardContent, MessageType, ReplyQuote, SystemEvent } from './types';
import { duration } from './util';

/** Who "you" are and how to name anyone else. */
export interface Names {
  me?: string;
  name(userId: string | undefined): string;
}

/** What is needed to word a message: a message, the list's lastMessage, a pending send. */
export interface Wordable {
  type?: MessageType;
  content?: unknown;
  file?: FileRef | null;
  recalled?: boolean;
  /** The list's one-line preview: for a text (or emoji) there, it holds the words (cut to 80 characters). */
  preview?: string;
}

const labels: Partial<Record<MessageType, string>> = {
  image: 'Photo',
  voice: 'Voice message',
  video: 'Video',
  file: 'File',
  call: 'Call',
  forward: 'Chat history',
};

/** One line for a message: the list's preview, the "replying to" bar, the screen reader's announcement. */
export function previewOf(m: Wordable, names: Names): string {
  if (m.recalled) return 'Message recalled';
  switch (m.type) {
    case 'text':
    case 'emoji':
      return typeof m.content === 'string' ? m.content : (m.preview ?? '');
    case 'file':
      return m.file?.name ? 'File: ' + m.file.name : 'File';
    case 'call':
      return callText(m.content);
    case 'system':
      return systemText(m.content, names);
    case 'forward':
      return forwardTitle(m);
    default:
      return (m.type && labels[m.type]) ?? m.preview ?? '';
  }
}

/** A quoted message: the quote holds only its type and the server's preview, which is words for text only. */
export function quoteText(q: ReplyQuote): string {
  if (q.recalled) return 'Message recalled';
  if (q.type === 'text' || q.type === 'emoji' || q.type === 'system') return q.preview;
  return labels[q.type] ?? 'Message';
}

/** "Video call · 1:05", or "Voice call" when it was not answered. */
export function callText(content: unknown): string {
  const c = (content ?? {}) as Partial<CallContent>;
  const label = c.media === 'video' ? 'Video call' : c.media === 'audio' ? 'Voice call' : 'Call';
  return c.durationMs && c.durationMs > 0 ? `${label} · ${duration(c.durationMs)}` : label;
}

/** A merged forward in one line: its title ("Chat history of …"), from its content or the list's preview. */
export function forwardTitle(m: Wordable): string {
  const title = (m.content as MergedForwardContent | null | undefined)?.title;
  if (typeof title === 'string' && title) return title;
  const preview = m.preview?.replace(/^\[forward\]\s*/, '');
  return preview || 'Chat history';
}

/** A group system message (docs/protocol.md "Group system messages") in words. */
export function systemText(content: unknown, names: Names): string {
  if (typeof content === 'string') return content;
  const e = (content ?? {}) as SystemEvent;
  const actor = e.actorId && e.actorId === names.me ? 'You' : (e.actorName ?? names.name(e.actorId));
  const people = (e.userIds ?? []).map((id, i) => (id === names.me ? 'you' : (e.userNames?.[i] ?? names.name(id)))).join(', ');
  switch (e.event) {
    case 'group.created':
      return `${actor} created "${e.name ?? 'the group'}"${people ? ' with ' + people : ''}`;
    case 'member.joined':
      return e.via === 'request' ? `${people || actor} joined` : e.via === 'approval' ? `${actor} let ${people} in` : `${actor} added ${people}`;
    case 'member.left':
      return `${actor} left`;
    case 'member.removed':
      return `${actor} removed ${people}`;
    case 'name.changed':
      return `${actor} renamed the group "${e.name ?? ''}"`;
    case 'notice.changed':
      return e.notice ? `${actor} changed the notice: ${e.notice}` : `${actor} cleared the notice`;
    case 'owner.changed':
      return `${actor} made ${people} the owner`;
    case 'role.changed':
      return `${actor} made ${people} ${e.role === 'admin' ? 'an admin' : 'a member'}`;
    case 'group.muted':
      return `${actor} muted the group`;
    case 'group.unmuted':
      return `${actor} unmuted the group`;
    default:
      return e.text ?? 'Group updated';
  }
}
