// receive() as the socket's events call it: the store applies ordering.ts and asks the server for a gap.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../types';

const request = vi.fn(async (..._args: unknown[]) => ({ type: 'msg.synced', data: { refused: [] } }));
vi.mock('../realtime', () => ({ realtime: { request: (...args: unknown[]) => request(...args) } }));
vi.mock('../api', () => ({
  api: { current: null, get: vi.fn(async () => ({ conversations: [], nextCursor: null })) },
  ApiError: class extends Error {},
  errorText: (e: unknown) => String(e),
}));
vi.stubGlobal('document', { visibilityState: 'visible' });

const { receive } = await import('./history');
const { getState, reset, setState } = await import('./state');
const { emptyHistory } = await import('./ordering');

function msg(seq: number, extra: Partial<Message> = {}): Message {
  return { id: `m${seq}`, conversationId: 'c1', seq, senderId: 'u-ann', clientMsgId: `cm${seq}`, type: 'text', content: `m${seq}`, file: null, sentAt: '2026-01-01T00:00:00Z', recalled: false, ...extra };
}

beforeEach(() => {
  reset();
  request.mockClear();
  setState({
    me: { id: 'u-me', phone: null, email: null, username: null, nickname: 'Me', avatar: null, sex: 'unknown', createdAt: '2026-01-01T00:00:00Z' },
    users: { 'u-ann': { nickname: 'Ann' } },
    // The row is known, so no list reload is asked for.
    conversations: [
      { id: 'c1', kind: 'direct', peer: null, online: null, group: null, lastMessage: null, lastActivityAt: '2026-01-01T00:00:00Z', lastSeq: 2, readSeq: 2, unreadCount: 0, pinned: false, muted: false, hidden: false, mentioned: false, peerReadSeq: null, messageTtlSeconds: null },
    ],
    history: { c1: { ...emptyHistory(), items: [msg(1), msg(2)], loaded: true, hasMore: false, upTo: 2 } },
  });
});

describe('receive', () => {
  it('asks msg.sync for the gap when a live message skips ahead, once while that sync runs', async () => {
    receive([msg(5)], 'live');
    receive([msg(6)], 'live');
    expect(request).toHaveBeenCalledTimes(1);
    expect(request).toHaveBeenCalledWith('msg.sync', { conversations: { c1: 2 } }, 60_000);
    receive([msg(3), msg(4)], 'sync');
    expect(getState().history.c1.upTo).toBe(6);
    expect(getState().conversations[0]).toMatchObject({ lastSeq: 6 });
  });

  it('shows my acked message once: the pending copy goes, and its echo adds nothing', () => {
    setState({ pending: { c1: [{ clientMsgId: 'mine', type: 'text', content: 'hi', sentAt: '2026-01-01T00:00:00Z', state: 'sending' }] } });
    const mine = msg(3, { senderId: 'u-me', clientMsgId: 'mine' });
    receive([mine], 'own');
    receive([mine], 'live');
    expect(getState().pending.c1).toEqual([]);
    expect(getState().history.c1.items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(request).not.toHaveBeenCalled();
  });
});
