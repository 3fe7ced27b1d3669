// The client's state and the actions on it, by concern:
//   state.ts          the state object, its subscribers, useStore, notices, reset
//   ordering.ts       message order by seq, `upTo` and gaps, merging pages and sync batches (pure, unit-tested)
//   history.ts        each conversation's messages: pages, arrivals, read state, recall, delete, search
//   sync.ts           msg.sync after a (re)connect and for gaps
//   sending.ts        pending sends: upload, send, ack, retry, discard
//   messageChanges.ts edits and reaction events applied to messages (pure, unit-tested)
//   messageActions.ts editing my messages and reacting, and those events applied to the state
//   forwarding.ts     forwarding one message or several merged to my conversations
//   conversations.ts  the conversation list, contacts, per-conversation settings
//   people.ts         names, presence, users met in messages
//   events.ts         the socket's events wired to all of the above
// Display text is ../display.ts (pure); `previewOf` here words a message with the current names.
import * as display from '../display';
import { names } from './people';

export * from './state';
export { sortConversations } from './ordering';
export * from './people';
export * from './conversations';
export * from './history';
export * from './sync';
export * from './sending';
export * from './events';
export * from './messageActions';
export * from './forwarding';
export { lastEditable } from './messageChanges';

/** A message (or the list's lastMessage, or a pending send) in one line, with the names as they are now. */
export function previewOf(m: display.Wordable): string {
  return display.previewOf(m, names());
}
