// Shapes of the API (docs/API.md). Ids are strings; times ISO 8601 strings.

export type Sex = 'unknown' | 'male' | 'female';

export interface OwnProfile {
  id: string;
  phone?: string | null;
  email?: string | null;
  username?: string | null;
  nickname: string;
  avatar?: string | null;
  sex?: Sex;
  createdAt?: string;
}

export interface UserProfile {
  id: string;
  username?: string | null;
  nickname: string;
  avatar?: string | null;
  isFriend?: boolean;
  phone?: string | null;
  email?: string | null;
}

export interface AuthResponse {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  user: OwnProfile;
}

export interface Friend {
  userId: string;
  username?: string | null;
  nickname: string;
  avatar?: string | null;
  remark?: string | null;
  online: boolean;
}

export interface FriendRequest {
  id: string;
  fromUserId: string;
  toUserId: string;
  message?: string | null;
  status: 'pending' | 'accepted' | 'rejected';
  createdAt: string;
  from: UserProfile;
  to: UserProfile;
}

export type GroupRole = 'owner' | 'admin' | 'member';

export interface Group {
  id: string;
  name: string;
  icon?: string | null;
  notice?: string | null;
  ownerId: string;
  joinApproval: boolean;
  mutedUntil?: string | null;
  memberCount: number;
  myRole?: GroupRole | null;
}

export interface GroupMember {
  userId: string;
  username?: string | null;
  nickname: string;
  avatar?: string | null;
  role: GroupRole;
  joinedAt: string;
  mutedUntil?: string | null;
}

export interface JoinRequest {
  id: string;
  userId?: string;
  message?: string | null;
  status?: string;
  user?: UserProfile;
  nickname?: string;
}

export type MessageType = 'text' | 'emoji' | 'image' | 'voice' | 'video' | 'file' | 'call' | 'system';

export interface FileRef {
  fileId: string;
  name: string;
  size: number;
  contentType: string;
  url: string;
  durationMs?: number;
  width?: number;
  height?: number;
}

export interface ReplyQuote {
  messageId?: string;
  seq?: number;
  senderId?: string;
  type?: MessageType;
  preview?: string;
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  type: MessageType;
  content: unknown;
  file?: FileRef | null;
  replyTo?: ReplyQuote | string | null;
  mentions?: string[] | null;
  sentAt: string;
  recalled: boolean;
}

export interface CallContent {
  media: 'audio' | 'video';
  initiatorId: string;
  startedAt?: string;
  endedAt: string;
  durationMs: number;
  endReason: string;
}

export interface LastMessage {
  id?: string;
  seq?: number;
  senderId?: string;
  type?: MessageType;
  preview?: string;
  content?: unknown;
  sentAt?: string;
  recalled?: boolean;
}

export interface Conversation {
  id: string;
  kind: 'direct' | 'group';
  peer?: { id?: string; userId?: string; nickname: string; name?: string; remark?: string | null; avatar?: string | null } | null;
  group?: { id: string; name: string; icon?: string | null; memberCount?: number } | null;
  lastMessage?: LastMessage | null;
  lastSeq: number;
  readSeq: number;
  unreadCount: number;
  pinned: boolean;
  muted: boolean;
  online?: boolean;
  peerReadSeq?: number;
  lastActivityAt?: string;
  hidden?: boolean;
  mentioned?: boolean;
}

export interface Ack {
  clientMsgId: string;
  messageId: string;
  conversationId: string;
  seq: number;
  sentAt: string;
}
