// The shapes the client uses. Everything the HTTP API returns comes from the server's OpenAPI document:
// `api-types.ts` is generated from `openapi/v1.json` by `scripts/api-types.mjs` in every build (docs/web-client.md,
// "API types"); these are names for its schemas, nothing more. Ids are strings; times ISO 8601 strings.
//
// Below them, by hand and marked as such: what the OpenAPI document cannot describe: the payloads of WebSocket
// events that no HTTP endpoint returns (docs/protocol.md), and the shapes of a message's `content`, which depend on
// its `type` (a call record, a group event).
import type { components } from './api-types';

type Schemas = components['schemas'];

export type Sex = Schemas['Sex'];
export type OwnProfile = Schemas['OwnProfile'];
export type UserProfile = Schemas['UserProfile'];
export type AuthResponse = Schemas['AuthResponse'];
export type Friend = Schemas['FriendView'];
export type FriendRequest = Schemas['FriendRequestView'];
export type GroupRole = Schemas['GroupRole'];
export type Group = Schemas['GroupView'];
export type GroupMember = Schemas['GroupMemberView'];
export type JoinRequest = Schemas['JoinRequestView'];
export type MessageType = Schemas['MessageType'];
export type FileRef = Schemas['FileView'];
export type ReplyQuote = Schemas['ReplyQuote'];
export type ReactionCount = Schemas['ReactionCount'];
export type Message = Schemas['MessageView'];
export type LastMessage = Schemas['LastMessagePreview'];
export type Conversation = Schemas['ConversationView'];
export type ConversationPage = Schemas['ConversationPage'];
export type Ack = Schemas['MessageAck'];
/** `msg.read` (an event) is the same record `POST /conversations/{id}/read` answers. */
export type ReadReceipt = Schemas['ReadReceipt'];
export type IceServers = Schemas['IceServersResponse'];

// ---------------------------------------------------------------------------------------------------------
// Hand-written: not in the OpenAPI document.

/** A `call` message's `content`: the call record (docs/calls.md). */
export interface CallContent {
  media: 'audio' | 'video';
  initiatorId: string;
  startedAt?: string | null;
  endedAt: string;
  durationMs: number;
  endReason: string;
}

/** A group `system` message's `content` (docs/protocol.md, "Group system messages"). */
export interface SystemEvent {
  event?: string;
  text?: string;
  actorId?: string;
  actorName?: string;
  userIds?: string[];
  userNames?: string[];
  via?: 'invitation' | 'request' | 'approval' | string;
  name?: string;
  notice?: string;
  role?: string;
  until?: string;
}

/** A merged forward's `content` (`type: "forward"`, docs/messages.md "Forward"): a snapshot of the messages forwarded. */
export interface MergedForwardContent {
  title?: string;
  items?: MergedForwardItem[];
}
export interface MergedForwardItem {
  senderId: string;
  senderName?: string;
  type: MessageType;
  content: unknown;
  file?: FileRef | null;
  sentAt: string;
}

/** WebSocket events (docs/protocol.md) whose payloads no HTTP endpoint returns. */
export interface MessageBatchEvent {
  messages: Message[];
}
export interface RecalledEvent {
  conversationId: string;
  messageId: string;
  seq: number;
  recalledBy?: string;
}
export interface DeletedEvent {
  conversationId: string;
  messageId: string;
  seq: number;
}
export interface ClearedEvent {
  conversationId: string;
  clearedSeq: number;
}
export interface TypingEvent {
  conversationId: string;
  userId: string;
}
/** Per-user settings (pinned, muted, hidden), or the shared disappearing-messages setting (messageTtlSeconds): one frame type, two shapes. */
export interface ConversationUpdatedEvent {
  conversationId: string;
  pinned?: boolean;
  muted?: boolean;
  hidden?: boolean;
  messageTtlSeconds?: number | null;
}
export interface PresenceEvent {
  userId: string;
  online: boolean;
}
export interface GroupDissolvedEvent {
  groupId: string;
  by?: string;
}
export interface FriendRequestEvent {
  request?: FriendRequest;
}
/** The answer to `msg.sync`: `msg.synced` with the request's id. */
export interface SyncDone {
  refused?: string[];
}
