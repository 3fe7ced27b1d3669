import { describe, expect, it } from 'vitest';
import type { LastMessage, Message } from '../types';
import { lastEditable, lastMessageWithEdit, withEdit, withReaction, withReactionEvent } from './messageChanges';

function msg(seq: number, extra: Partial<Message> = {}): Message {
  return { id: `m${seq}`, conversationId: 'c1', seq, senderId: 'u-ann', clientMsgId: `cm${seq}`, type: 'text', content: `m${seq}`, file: null, sentAt: '2026-01-01T00:00:00Z', recalled: false, ...extra };
}

const edit = (extra: Partial<{ messageId: string; seq: number; content: string; editedAt: string }> = {}) => ({
  conversationId: 'c1',
  messageId: 'm2',
  seq: 2,
  content: 'fixed typo',
  editedAt: '2026-01-01T00:05:00Z',
  ...extra,
});

describe('withEdit', () => {
  it('gives the edited message its new text and editedAt, and leaves the others as they were', () => {
    const items = [msg(1), msg(2), msg(3)];
    const next = withEdit(items, edit());
    expect(next[1]).toMatchObject({ content: 'fixed typo', editedAt: '2026-01-01T00:05:00Z' });
    expect(next[0]).toBe(items[0]);
    expect(next[2]).toBe(items[2]);
  });

  it("puts the new words in the quote of a reply to the edited message", () => {
    const reply = msg(3, { replyTo: { messageId: 'm2', seq: 2, senderId: 'u-ann', type: 'text', preview: 'fixd typo', recalled: false } });
    const next = withEdit([msg(2), reply], edit());
    expect(next[1].replyTo?.preview).toBe('fixed typo');
  });

  it('ignores an edit older than the one shown (events can arrive after a newer page)', () => {
    const items = [msg(2, { content: 'newest', editedAt: '2026-01-01T00:09:00Z' })];
    expect(withEdit(items, edit())).toBe(items);
  });

  it('does not bring back the text of a recalled message', () => {
    const items = [msg(2, { recalled: true, content: '' })];
    expect(withEdit(items, edit())[0].content).toBe('');
  });

  it('returns the same list when the message is not loaded', () => {
    const items = [msg(1)];
    expect(withEdit(items, edit())).toBe(items);
  });
});

describe('lastMessageWithEdit', () => {
  const last: LastMessage = { id: 'm2', seq: 2, senderId: 'u-ann', type: 'text', preview: 'fixd typo', sentAt: '2026-01-01T00:00:00Z', recalled: false, content: null, file: null };
  it("changes the list's preview when the last message was edited, and nothing else", () => {
    expect(lastMessageWithEdit(last, edit())).toMatchObject({ preview: 'fixed typo', editedAt: '2026-01-01T00:05:00Z' });
    expect(lastMessageWithEdit(last, edit({ messageId: 'm9', seq: 9 }))).toBe(last);
    expect(lastMessageWithEdit(null, edit())).toBeNull();
  });
});

describe('withReaction', () => {
  it("counts someone else's reaction, and takes it away again when they take it back", () => {
    const one = withReaction(undefined, { emoji: '👍', userId: 'u-ben', added: true }, 'u-me');
    expect(one).toEqual([{ emoji: '👍', count: 1, me: false }]);
    const two = withReaction(one, { emoji: '👍', userId: 'u-cal', added: true }, 'u-me');
    expect(two).toEqual([{ emoji: '👍', count: 2, me: false }]);
    expect(withReaction(two, { emoji: '👍', userId: 'u-cal', added: false }, 'u-me')).toEqual([{ emoji: '👍', count: 1, me: false }]);
  });

  it('drops an emoji at zero, and leaves no list at all when none is left (as the server does)', () => {
    const one = [{ emoji: '👍', count: 1, me: false }, { emoji: '❤️', count: 2, me: false }];
    expect(withReaction(one, { emoji: '👍', userId: 'u-ben', added: false }, 'u-me')).toEqual([{ emoji: '❤️', count: 2, me: false }]);
    expect(withReaction([{ emoji: '👍', count: 1, me: false }], { emoji: '👍', userId: 'u-ben', added: false }, 'u-me')).toBeUndefined();
  });

  it('marks my own reaction, and counts it once when my click and the server event about it both arrive', () => {
    const clicked = withReaction([{ emoji: '👍', count: 1, me: false }], { emoji: '👍', userId: 'u-me', added: true }, 'u-me');
    expect(clicked).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect(withReaction(clicked, { emoji: '👍', userId: 'u-me', added: true }, 'u-me')).toEqual([{ emoji: '👍', count: 2, me: true }]);
    const takenBack = withReaction(clicked, { emoji: '👍', userId: 'u-me', added: false }, 'u-me');
    expect(takenBack).toEqual([{ emoji: '👍', count: 1, me: false }]);
    expect(withReaction(takenBack, { emoji: '👍', userId: 'u-me', added: false }, 'u-me')).toEqual([{ emoji: '👍', count: 1, me: false }]);
  });

  it('keeps my mark when someone else takes back the same emoji', () => {
    const both = [{ emoji: '🎉', count: 2, me: true }];
    expect(withReaction(both, { emoji: '🎉', userId: 'u-ben', added: false }, 'u-me')).toEqual([{ emoji: '🎉', count: 1, me: true }]);
  });

  it('reads counts the OpenAPI types allow as strings', () => {
    expect(withReaction([{ emoji: '👍', count: '3' as unknown as number, me: false }], { emoji: '👍', userId: 'u-ben', added: true }, 'u-me')).toEqual([{ emoji: '👍', count: 4, me: false }]);
  });
});

describe('withReactionEvent', () => {
  it('applies an event to its message only, and ignores one for a message not loaded', () => {
    const items = [msg(1), msg(2)];
    const next = withReactionEvent(items, { conversationId: 'c1', messageId: 'm2', emoji: '😂', userId: 'u-ben', added: true }, 'u-me');
    expect(next[1].reactions).toEqual([{ emoji: '😂', count: 1, me: false }]);
    expect(next[0]).toBe(items[0]);
    expect(withReactionEvent(items, { conversationId: 'c1', messageId: 'm9', emoji: '😂', userId: 'u-ben', added: true }, 'u-me')).toBe(items);
  });
});

describe('lastEditable', () => {
  it('is my newest text message that was not recalled', () => {
    const items = [msg(1, { senderId: 'u-me' }), msg(2, { senderId: 'u-me', type: 'image' }), msg(3, { senderId: 'u-me', recalled: true }), msg(4)];
    expect(lastEditable(items, 'u-me')?.seq).toBe(1);
    expect(lastEditable([msg(1)], 'u-me')).toBeUndefined();
  });
});
