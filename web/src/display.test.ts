import { describe, expect, it } from 'vitest';
import { callText, previewOf, quoteText, systemText, type Names } from './display';
import type { LastMessage } from './types';

const names: Names = { me: 'u-me', name: (id) => ({ 'u-ann': 'Ann', 'u-ben': 'Ben' })[id ?? ''] ?? 'Someone' };

/** The list's lastMessage as the server sends it (docs/conversations.md). */
function last(extra: Partial<LastMessage>): LastMessage {
  return { id: 'm1', seq: 1, senderId: 'u-ann', type: 'text', preview: '', sentAt: '2026-01-01T00:00:00Z', recalled: false, content: null, file: null, ...extra };
}

describe('previewOf', () => {
  it("words the list's lastMessage from its structure, never from the server's labels", () => {
    expect(previewOf(last({ type: 'text', preview: 'see you at noon' }), names)).toBe('see you at noon');
    expect(previewOf(last({ type: 'image', preview: '[image]' }), names)).toBe('Photo');
    expect(previewOf(last({ type: 'voice', preview: '[voice]' }), names)).toBe('Voice message');
    const file = { fileId: 'f', name: 'minutes.txt', size: 1, contentType: 'text/plain', url: '/f' };
    expect(previewOf(last({ type: 'file', preview: '[file] minutes.txt', file }), names)).toBe('File: minutes.txt');
    expect(previewOf(last({ type: 'call', preview: '[video call] 1:05', content: { media: 'video', durationMs: 65_000 } }), names)).toBe('Video call · 1:05');
    expect(previewOf(last({ type: 'text', preview: '[recalled]', recalled: true }), names)).toBe('Message recalled');
    const event = { event: 'member.joined', actorId: 'u-ann', actorName: 'Ann', userIds: ['u-me', 'u-ben'], userNames: ['Me', 'Ben'], via: 'invitation' };
    expect(previewOf(last({ type: 'system', preview: 'Ann added Me, Ben', content: event }), names)).toBe('Ann added you, Ben');
  });

  it('words a message by its content', () => {
    expect(previewOf({ type: 'emoji', content: '👍' }, names)).toBe('👍');
    expect(previewOf({ type: 'call', content: { media: 'audio', durationMs: 0, endReason: 'no_answer' } }, names)).toBe('Voice call');
  });

  it("words a merged forward by its title, from the message's content or the list's preview", () => {
    expect(previewOf({ type: 'forward', content: { title: 'Chat history of Ann and Ben', items: [] } }, names)).toBe('Chat history of Ann and Ben');
    expect(previewOf(last({ type: 'forward', preview: '[forward] Chat history of Book club' }), names)).toBe('Chat history of Book club');
    expect(previewOf(last({ type: 'forward', preview: '[forward]' }), names)).toBe('Chat history');
  });
});

describe('systemText', () => {
  it('says "You" for my own actions and uses the names at the time of the event', () => {
    expect(systemText({ event: 'group.created', actorId: 'u-me', name: 'Book club', userIds: ['u-ann'], userNames: ['Ann'] }, names)).toBe('You created "Book club" with Ann');
    expect(systemText({ event: 'member.joined', actorId: 'u-ben', actorName: 'Ben', userIds: ['u-ben'], userNames: ['Ben'], via: 'request' }, names)).toBe('Ben joined');
    expect(systemText({ event: 'role.changed', actorId: 'u-ann', actorName: 'Ann', userIds: ['u-ben'], userNames: ['Ben'], role: 'admin' }, names)).toBe('Ann made Ben an admin');
    expect(systemText({ event: 'notice.changed', actorId: 'u-ann' }, names)).toBe('Ann cleared the notice');
    expect(systemText({ event: 'something.new', text: 'Hello' }, names)).toBe('Hello');
  });
});

describe('quoteText and callText', () => {
  it('words a quote by its type; only a text quote keeps its preview', () => {
    const q = { messageId: 'm', seq: 1, senderId: 'u-ann', recalled: false };
    expect(quoteText({ ...q, type: 'text', preview: 'Which train?' })).toBe('Which train?');
    expect(quoteText({ ...q, type: 'image', preview: '[image]' })).toBe('Photo');
    expect(quoteText({ ...q, type: 'text', preview: '[recalled]', recalled: true })).toBe('Message recalled');
  });

  it('gives an answered call its duration', () => {
    expect(callText({ media: 'video', durationMs: 3_725_000 })).toBe('Video call · 1:02:05');
    expect(callText(null)).toBe('Call');
  });
});
