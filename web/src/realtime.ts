// The one WebSocket (docs/protocol.md): requests matched to replies by `id`, events to listeners, reconnect
// with backoff, and an outbox of sends that are resent with the same clientMsgId until acknowledged (the
// server answers a repeat with the first ack and stores nothing twice).
import { api, ApiError } from './api';
import { describeError } from './errors';
import type { Ack } from './types';

export interface Frame {
  type: string;
  id?: string;
  data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type Status = 'connecting' | 'online' | 'offline';

interface Pending {
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Outgoing {
  data: Record<string, unknown>;
  resolve: (ack: Ack) => void;
  reject: (e: Error) => void;
  requestId?: string;
}

const retryable = new Set(['rate_limited', 'not_stored', 'server_stopping']);

export class Realtime {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<string, Pending>();
  private outbox = new Map<string, Outgoing>(); // by clientMsgId, in send order
  private listeners = new Map<string, Set<(data: any, frame: Frame) => void>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = true;
  status: Status = 'offline';
  /** Called after every (re)connect, before the outbox is resent: the place to `msg.sync`. */
  onConnected: () => Promise<void> | void = () => {};
  onStatus: (s: Status) => void = () => {};

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.ws?.close(1000, 'signed out');
    this.ws = null;
    for (const p of this.pending.values()) p.reject(new ApiError(0, 'network', describeError('network')));
    this.pending.clear();
    this.outbox.clear();
    this.setStatus('offline');
  }

  on(type: string, fn: (data: any, frame: Frame) => void): () => void { // eslint-disable-line @typescript-eslint/no-explicit-any
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  /** A request with a reply (`ok`, `msg.synced`, …); an `error` reply rejects with the problem in words. */
  request(type: string, data: unknown = {}, timeoutMs = 15_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        reject(new ApiError(0, 'network', describeError('network')));
        return;
      }
      const id = String(this.nextId++);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError(0, 'timeout', describeError('timeout')));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type, id, data }));
    });
  }

  /** Fire and forget (typing). */
  notify(type: string, data: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type, data }));
  }

  /**
   * Sends a message and resolves with its ack. Survives disconnects: kept in the outbox and resent with the
   * same clientMsgId after every reconnect until an ack or a refusal comes.
   */
  send(data: Record<string, unknown> & { clientMsgId: string }): Promise<Ack> {
    return new Promise((resolve, reject) => {
      const item: Outgoing = { data, resolve, reject };
      this.outbox.set(data.clientMsgId, item);
      this.transmit(item);
    });
  }

  get unacked(): number {
    return this.outbox.size;
  }

  private transmit(item: Outgoing) {
    if (this.ws?.readyState !== WebSocket.OPEN) return; // resent on reconnect
    const id = String(this.nextId++);
    item.requestId = id;
    const clientMsgId = item.data.clientMsgId as string;
    const timer = setTimeout(() => {
      // No answer: leave it in the outbox; the next reconnect (or this retry) resends it.
      this.pending.delete(id);
      if (this.outbox.get(clientMsgId) === item) this.transmit(item);
    }, 20_000);
    this.pending.set(id, {
      timer,
      resolve: (frame) => {
        this.outbox.delete(clientMsgId);
        item.resolve(frame.data as Ack);
      },
      reject: (e) => {
        if (e instanceof ApiError && retryable.has(e.code) && this.outbox.get(clientMsgId) === item) {
          setTimeout(() => this.outbox.get(clientMsgId) === item && this.transmit(item), 1000 + Math.random() * 1000);
          return;
        }
        if (e instanceof ApiError && e.code === 'network') return; // stays in the outbox
        this.outbox.delete(clientMsgId);
        item.reject(e);
      },
    });
    this.ws.send(JSON.stringify({ type: 'msg.send', id, data: item.data }));
  }

  private async connect() {
    if (this.stopped) return;
    this.setStatus('connecting');
    let token: string | null = null;
    try {
      token = await api.freshToken();
    } catch {
      /* offline: retried below */
    }
    if (this.stopped) return;
    if (!token) {
      if (api.current) this.scheduleReconnect();
      return;
    }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/ws?access_token=${encodeURIComponent(token)}`);
    this.ws = ws;
    let opened = false;
    ws.onopen = async () => {
      opened = true;
      this.attempts = 0;
      this.setStatus('online');
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.request('ping', {}, 10_000).catch(() => ws.close(4000, 'no pong')), 25_000);
      try {
        await this.onConnected();
      } catch {
        /* a failed sync is retried on the next reconnect */
      }
      for (const item of [...this.outbox.values()]) this.transmit(item);
    };
    ws.onmessage = (e) => this.receive(e.data as string);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new ApiError(0, 'network', describeError('network')));
      }
      this.setStatus('offline');
      if (this.stopped) return;
      // Refused at the handshake (the browser shows a 401 only as a failed connection) or "session ended":
      // refresh the tokens; if the session is over, api signs out and the app shows the sign-in screen.
      if (!opened || e.code === 1008) {
        void api.refresh().catch(() => undefined).finally(() => this.scheduleReconnect());
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    const delay = Math.min(15_000, 500 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  /** Drops the connection as a network failure would (diagnostics and tests): it reconnects and syncs by itself. */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    ws.onclose?.(new CloseEvent('close', { code: 4001, reason: 'dropped' })); // at once, even with no network for a close handshake
    ws.close(4001, 'dropped');
  }

  /** Reconnect now (the browser came back online, or the tab became visible with a dead socket). */
  kick() {
    if (this.stopped || this.ws) return;
    this.attempts = 0;
    clearTimeout(this.reconnectTimer);
    void this.connect();
  }

  private receive(raw: string) {
    let frame: Frame;
    try {
      frame = JSON.parse(raw) as Frame;
    } catch {
      return;
    }
    if (frame.id && frame.type !== 'msg.batch' && this.pending.has(frame.id)) {
      const p = this.pending.get(frame.id)!;
      // msg.batch frames of a sync carry no id; msg.synced ends the request.
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.type === 'error') p.reject(new ApiError(0, frame.data?.code ?? 'internal_error', describeError(frame.data?.code, frame.data?.message)));
      else p.resolve(frame);
      if (frame.type === 'error') return;
    }
    for (const fn of this.listeners.get(frame.type) ?? []) fn(frame.data, frame);
    for (const fn of this.listeners.get('*') ?? []) fn(frame.data, frame);
  }

  private setStatus(s: Status) {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }
}

export const realtime = new Realtime();

window.addEventListener('online', () => realtime.kick());
(window as unknown as { parleyRealtime: Realtime }).parleyRealtime = realtime;
