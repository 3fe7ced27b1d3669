// My messages on their way (docs/web-client.md, "Outbox"): shown as pending from the click, uploaded first when
// they carry a file, sent with a clientMsgId that a retry reuses (so the server stores it once), and replaced by
// the stored message when the ack comes.
import { api, errorText } from '../api';
import { previewOf } from '../display';
import { realtime } from '../realtime';
import type { Ack, FileRef, Message, MessageType, ReplyQuote } from '../types';
import { refreshConversations } from './conversations';
import { loadHistory, receive } from './history';
import { names } from './people';
import { getState, notify, setState, type PendingMessage } from './state';

function newClientMsgId(): string {
  return crypto.randomUUID();
}

/** The `to` of a send: a conversation id, or `user:<id>` for a friend we have no conversation with yet. */
function target(key: string): Record<string, string> {
  if (key.startsWith('user:')) return { userId: key.slice(5) };
  return { conversationId: key };
}

function addPending(key: string, p: PendingMessage) {
  setState((s) => ({ pending: { ...s.pending, [key]: [...(s.pending[key] ?? []), p] } }));
}

function updatePending(key: string, clientMsgId: string, patch: Partial<PendingMessage>) {
  setState((s) => ({ pending: { ...s.pending, [key]: (s.pending[key] ?? []).map((p) => (p.clientMsgId === clientMsgId ? { ...p, ...patch } : p)) } }));
}

function dropPending(key: string, clientMsgId: string) {
  setState((s) => ({ pending: { ...s.pending, [key]: (s.pending[key] ?? []).filter((p) => p.clientMsgId !== clientMsgId) } }));
}

/** The quote a reply shows while it is pending, as the server will store it. */
function quoteOf(m: Message): ReplyQuote {
  return { messageId: m.id, seq: m.seq, senderId: m.senderId, type: m.type, preview: previewOf(m, names()), recalled: m.recalled };
}

/** Sends a message; `replyTo` is the message replied to, or (on a retry) the quote made when it was first sent. */
export async function send(key: string, type: MessageType, content: unknown, file?: FileRef | null, replyTo?: Message | ReplyQuote | null, clientMsgId = newClientMsgId()) {
  const quote = !replyTo ? null : 'messageId' in replyTo ? replyTo : quoteOf(replyTo);
  if (!getState().pending[key]?.some((p) => p.clientMsgId === clientMsgId))
    addPending(key, { clientMsgId, type, content, file, replyTo: quote, sentAt: new Date().toISOString(), state: 'sending' });
  else updatePending(key, clientMsgId, { state: 'sending', error: undefined });
  const data: Record<string, unknown> & { clientMsgId: string } = { to: target(key), clientMsgId, type, content };
  if (file) data.file = file;
  if (quote) data.replyTo = quote.messageId;
  try {
    const ack = await realtime.send(data);
    acknowledged(key, { clientMsgId, type, content, file, replyTo: quote }, ack);
  } catch (e) {
    updatePending(key, clientMsgId, { state: 'failed', error: errorText(e) });
  }
}

function acknowledged(key: string, sent: { clientMsgId: string; type: MessageType; content: unknown; file?: FileRef | null; replyTo?: ReplyQuote | null }, ack: Ack) {
  const message: Message = {
    id: ack.messageId,
    conversationId: ack.conversationId,
    seq: ack.seq,
    senderId: getState().me!.id,
    clientMsgId: sent.clientMsgId,
    type: sent.type,
    content: sent.content,
    file: sent.file ?? null,
    sentAt: ack.sentAt,
    recalled: false,
  };
  if (sent.replyTo) message.replyTo = sent.replyTo;
  dropPending(key, sent.clientMsgId);
  if (key !== ack.conversationId) {
    // The first message to a friend made the conversation: from now on it is addressed by its id.
    const moved = getState().pending[key] ?? [];
    setState((s) => ({
      pending: { ...s.pending, [key]: [], [ack.conversationId]: [...(s.pending[ack.conversationId] ?? []), ...moved] },
      selected: s.selected === key ? ack.conversationId : s.selected,
    }));
    if (!getState().history[ack.conversationId]) void loadHistory(ack.conversationId);
    refreshConversations(0);
    return;
  }
  receive([message], 'own');
}

/** Sends a file: upload with progress, then the message that carries it. */
export async function sendFile(key: string, blob: Blob, name: string, type: MessageType, extra: Partial<FileRef> = {}, replyTo?: Message | null) {
  const clientMsgId = newClientMsgId();
  const local: FileRef = { fileId: '', name, size: blob.size, contentType: blob.type, url: URL.createObjectURL(blob), ...extra };
  addPending(key, { clientMsgId, type, content: '', file: local, replyTo: replyTo ? quoteOf(replyTo) : null, sentAt: new Date().toISOString(), state: 'uploading', progress: 0 });
  try {
    const uploaded = await api.upload(blob, name, type, (progress) => updatePending(key, clientMsgId, { progress }));
    await send(key, type, '', { ...extra, ...uploaded, durationMs: uploaded.durationMs ?? extra.durationMs }, replyTo, clientMsgId);
  } catch (e) {
    updatePending(key, clientMsgId, { state: 'failed', error: errorText(e) });
  }
}

export function retry(key: string, p: PendingMessage) {
  if (p.file && !p.file.fileId) {
    dropPending(key, p.clientMsgId);
    notify('Please attach the file again.', 'info');
    return;
  }
  void send(key, p.type, p.content, p.file, p.replyTo, p.clientMsgId);
}

export function discard(key: string, p: PendingMessage) {
  dropPending(key, p.clientMsgId);
}
