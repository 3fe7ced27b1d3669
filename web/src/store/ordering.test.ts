import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../types';
import { advance, emptyHistory, lastMessageOf, merge, sortConversations, withArrivals, withMessages, withNewest, withoutDelivered, withPage, type History } from './ordering';

const me = 'u-me';

function msg(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    senderId: 'u-ann',
    clientMsgId: `cm${seq}`,
    type: 'text',
    content: `message ${seq}`,
    file: null,
    sentAt: new Date(Date.UTC(2026, 0, 1, 10, 0, seq)).toISOString(),
    recalled: false,
    ...extra,
  };
}

const seqs = (h: History) => h.items.map((m) => m.seq);
const loaded = (items: Message[], upTo: number): History => ({ ...emptyHistory(), items, loaded: true, hasMore: false, upTo });

describe('merge', () => {
  it('keeps messages sorted by seq whatever order they come in', () => {
    expect(merge([msg(2), msg(5)], [msg(4), msg(1), msg(3)]).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('holds one message per seq, the later copy winning (a recall seen in a sync)', () => {
    const merged = merge([msg(1), msg(2)], [msg(2, { recalled: true, content: '' })]);
    expect(merged).toHaveLength(2);
    expect(merged[1].recalled).toBe(true);
  });
});

describe('advance', () => {
  it('moves over the messages held right after upTo and stops at the first missing one', () => {
    expect(advance([msg(1), msg(2), msg(3), msg(5)], 1)).toBe(3);
    expect(advance([msg(5)], 3)).toBe(3);
  });
});

describe('withPage', () => {
  it('takes the newest page as the start of upTo, and an older page below it leaves upTo alone', () => {
    let h = withPage(emptyHistory(), [msg(10), msg(9), msg(8)], undefined);
    expect(seqs(h)).toEqual([8, 9, 10]);
    expect(h).toMatchObject({ loaded: true, loading: false, hasMore: true, upTo: 10 });
    h = withPage(h, [msg(7), msg(6)], 8);
    expect(seqs(h)).toEqual([6, 7, 8, 9, 10]);
    expect(h.upTo).toBe(10);
  });

  it('knows the start only by seq 1 or an empty page, not by a short page (messages I deleted are left out)', () => {
    expect(withPage(emptyHistory(), [msg(9), msg(4)], undefined).hasMore).toBe(true);
    expect(withPage(emptyHistory(), [msg(2), msg(1)], undefined).hasMore).toBe(false);
    expect(withPage(emptyHistory(), [], undefined).hasMore).toBe(false);
  });

  it('merges messages that arrived while the first page was loading and moves upTo over them', () => {
    const arrived = withMessages({ ...emptyHistory(), loading: true }, [msg(11)], 'live').history;
    expect(arrived.upTo).toBe(0);
    const h = withPage(arrived, [msg(10), msg(9)], undefined);
    expect(seqs(h)).toEqual([9, 10, 11]);
    expect(h.upTo).toBe(11);
  });
});

describe('withMessages', () => {
  it('appends the next live message and moves upTo, with no gap', () => {
    const { history, gapAfter } = withMessages(loaded([msg(1), msg(2)], 2), [msg(3)], 'live');
    expect(seqs(history)).toEqual([1, 2, 3]);
    expect(history.upTo).toBe(3);
    expect(gapAfter).toBeUndefined();
  });

  it('detects a gap when a live message skips ahead, and asks to sync after upTo', () => {
    const { history, gapAfter } = withMessages(loaded([msg(1), msg(2)], 2), [msg(5)], 'live');
    expect(seqs(history)).toEqual([1, 2, 5]);
    expect(history.upTo).toBe(2);
    expect(gapAfter).toBe(2);
  });

  it('closes the gap when the missing messages arrive in a sync batch', () => {
    const gapped = withMessages(loaded([msg(1), msg(2)], 2), [msg(5)], 'live').history;
    const { history, gapAfter } = withMessages(gapped, [msg(3), msg(4), msg(5)], 'sync');
    expect(seqs(history)).toEqual([1, 2, 3, 4, 5]);
    expect(history.upTo).toBe(5);
    expect(gapAfter).toBeUndefined();
  });

  it('takes a sync batch as all there is after what was asked, even with holes (messages deleted for me)', () => {
    const { history, gapAfter } = withMessages(loaded([msg(1), msg(2)], 2), [msg(4), msg(7)], 'sync');
    expect(seqs(history)).toEqual([1, 2, 4, 7]);
    expect(history.upTo).toBe(7);
    expect(gapAfter).toBeUndefined();
  });

  it('sorts an unordered batch before reading it', () => {
    const { history } = withMessages(loaded([msg(1)], 1), [msg(4), msg(2), msg(3)], 'sync');
    expect(seqs(history)).toEqual([1, 2, 3, 4]);
    expect(history.upTo).toBe(4);
  });

  it('holds a message that arrives twice (a resend echo, an event and a sync) once, and sees no gap in it', () => {
    const h = loaded([msg(1), msg(2), msg(3)], 3);
    const again = withMessages(h, [msg(2)], 'live');
    expect(seqs(again.history)).toEqual([1, 2, 3]);
    expect(again.history.upTo).toBe(3);
    expect(again.gapAfter).toBeUndefined();
    const synced = withMessages(again.history, [msg(3)], 'sync');
    expect(seqs(synced.history)).toEqual([1, 2, 3]);
  });

  it('does not move upTo over an ack that came before the messages below it, then moves over both', () => {
    const mine = msg(4, { senderId: me, clientMsgId: 'mine-1' });
    const acked = withMessages(loaded([msg(1), msg(2)], 2), [mine], 'own');
    expect(acked.history.upTo).toBe(2);
    expect(acked.gapAfter).toBeUndefined(); // an ack asks for no sync: the others' messages are on their way
    const caught = withMessages(acked.history, [msg(3)], 'live');
    expect(caught.history.upTo).toBe(4);
    expect(caught.gapAfter).toBeUndefined();
    // The live echo of my own message changes nothing.
    const echo = withMessages(caught.history, [mine], 'live');
    expect(seqs(echo.history)).toEqual([1, 2, 3, 4]);
    expect(echo.gapAfter).toBeUndefined();
  });

  it('only keeps messages for a history whose first page is not loaded yet', () => {
    const { history, gapAfter } = withMessages({ ...emptyHistory(), loading: true }, [msg(8)], 'live');
    expect(seqs(history)).toEqual([8]);
    expect(history.upTo).toBe(0);
    expect(gapAfter).toBeUndefined();
  });
});

describe('withoutDelivered', () => {
  const pending = [{ clientMsgId: 'a' }, { clientMsgId: 'b' }];

  it('drops the pending send whose stored copy arrived (matched by clientMsgId, mine only)', () => {
    expect(withoutDelivered(pending, [msg(9, { senderId: me, clientMsgId: 'a' })], me)).toEqual([{ clientMsgId: 'b' }]);
  });

  it('leaves it when someone else happens to use the same clientMsgId', () => {
    expect(withoutDelivered(pending, [msg(9, { clientMsgId: 'a' })], me)).toBe(pending);
  });
});

describe('withArrivals', () => {
  const row = (extra: Partial<Conversation> = {}): Conversation => ({
    id: 'c1', kind: 'direct', peer: null, online: null, group: null, lastMessage: null, lastActivityAt: '2026-01-01T00:00:00Z',
    lastSeq: 2, readSeq: 2, unreadCount: 0, pinned: false, muted: false, hidden: false, mentioned: false, peerReadSeq: null, messageTtlSeconds: null, ...extra,
  });

  it("counts others' new messages as unread and takes the newest as the last message", () => {
    const c = withArrivals(row(), [msg(3), msg(4)], me, false);
    expect(c).toMatchObject({ lastSeq: 4, unreadCount: 2, readSeq: 2 });
    expect(c.lastMessage).toMatchObject({ seq: 4, type: 'text', preview: 'message 4', content: null, file: null });
  });

  it('counts nothing while I am reading it, and my own message moves my read pointer', () => {
    expect(withArrivals(row(), [msg(3)], me, true).unreadCount).toBe(0);
    expect(withArrivals(row(), [msg(3, { senderId: me })], me, false)).toMatchObject({ unreadCount: 0, readSeq: 3 });
  });

  it('ignores messages the row already counts (a sync of old ones)', () => {
    const c = row({ lastSeq: 5 });
    expect(withArrivals(c, [msg(4)], me, false)).toBe(c);
  });
});

describe('withNewest', () => {
  it("lets the page's copies win (edited and reacted to while offline), moves upTo over it, and keeps hasMore", () => {
    const h: History = { items: [msg(1), msg(2), msg(3)], hasMore: false, loading: false, loaded: true, upTo: 3 };
    const page = [msg(2, { content: 'edited', editedAt: '2026-01-01T00:01:00Z', reactions: [{ emoji: '👍', count: 1, me: false }] }), msg(3), msg(4)];
    const next = withNewest(h, page);
    expect(next.items.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(next.items[1]).toMatchObject({ content: 'edited', reactions: [{ emoji: '👍', count: 1, me: false }] });
    expect(next.upTo).toBe(4);
    expect(next.hasMore).toBe(false);
  });
});

describe('lastMessageOf', () => {
  it('carries the structure the server sends in the list: a system event, a file, nothing once recalled', () => {
    const event = { event: 'member.left', actorId: 'u-ann', actorName: 'Ann' };
    expect(lastMessageOf(msg(1, { type: 'system', content: event }))).toMatchObject({ type: 'system', content: event, preview: '' });
    const file = { fileId: 'f1', name: 'a.pdf', size: 3, contentType: 'application/pdf', url: '/api/v1/files/f1' };
    expect(lastMessageOf(msg(2, { type: 'file', content: '', file }))).toMatchObject({ content: null, file });
    expect(lastMessageOf(msg(3, { type: 'file', content: '', file, recalled: true }))).toMatchObject({ recalled: true, content: null, file: null });
  });

  it("words a merged forward's preview as the server does, from its title", () => {
    const content = { title: 'Chat history of Ann and Ben', items: [] };
    expect(lastMessageOf(msg(4, { type: 'forward', content }))).toMatchObject({ type: 'forward', preview: '[forward] Chat history of Ann and Ben', content: null });
  });
});

describe('sortConversations', () => {
  it('puts pinned rows first, then the newest activity', () => {
    const at = (id: string, time: string, pinned = false) =>
      ({ id, pinned, lastActivityAt: time, lastMessage: null }) as unknown as Conversation;
    const sorted = sortConversations([at('old', '2026-01-01T00:00:00Z'), at('new', '2026-01-03T00:00:00Z'), at('pinned', '2025-01-01T00:00:00Z', true)]);
    expect(sorted.map((c) => c.id)).toEqual(['pinned', 'new', 'old']);
  });
});
