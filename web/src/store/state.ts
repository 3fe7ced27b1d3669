// The client's state: one plain object, replaced on change, with subscribers; small enough to need no library.
// Components select what they need with `useStore`; the other modules of store/ change it with `setState`.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import type { Status } from '../realtime';
import type { Conversation, FileRef, Friend, FriendRequest, Group, MessageType, OwnProfile, ReplyQuote } from '../types';
import type { History } from './ordering';

export type { History } from './ordering';

/** A message of mine on its way: uploading its file, waiting for its ack, or refused (then Retry or Discard). */
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

export interface State {
  me: OwnProfile | null;
  status: Status;
  conversations: Conversation[];
  conversationsLoaded: boolean;
  history: Record<string, History>;
  /** By chat key: a conversation id, or `user:<id>` before the first message to a friend made the conversation. */
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
  /** A message for the user; with a conversation, a new message there that a click opens. */
  notice: { text: string; kind: 'error' | 'info'; conversationId?: string } | null;
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
const resetters: Array<() => void> = [];

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

/** A module's own memory (what it asked, what it sent) to forget when the account changes. */
export function onReset(forget: () => void) {
  resetters.push(forget);
}

export function reset() {
  // Another account may sign in in this tab: nothing of the last one's may leak into it.
  for (const forget of resetters) forget();
  state = { ...initial(), me: null };
  for (const s of subscribers) s();
}
