// Forwarding (docs/messages.md, "Forward"): one message (`forwardOf`) or several merged into one (`type: "forward"`),
// to one or more of my conversations. Sent through the socket's outbox like any message; the sending device gets
// only the ack, so the stored copy (the server makes it: a copy, or a snapshot) is fetched into a loaded history.
import { api, errorText } from '../api';
import { realtime } from '../realtime';
import type { Ack, Message } from '../types';
import { refreshConversations } from './conversations';
import { receive } from './history';
import { notify, getState } from './state';

/** What to forward: one message as it is, or several of one conversation merged into a chat-history message. */
export type Forwarding = { kind: 'single'; message: Message } | { kind: 'merged'; conversationId: string; messageIds: string[] };

/** Forwards to each target conversation; says how it went. Resolves once every send has an answer. */
export async function forward(what: Forwarding, targets: string[]): Promise<void> {
  const results = await Promise.allSettled(targets.map((target) => forwardTo(what, target)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  refreshConversations();
  if (failed.length) notify(`Not forwarded${targets.length > 1 ? ` to ${failed.length} of ${targets.length} chats` : ''}: ${errorText(failed[0].reason)}`);
  else notify(targets.length > 1 ? `Forwarded to ${targets.length} chats.` : 'Forwarded.', 'info');
}

async function forwardTo(what: Forwarding, conversationId: string): Promise<void> {
  const data: Record<string, unknown> & { clientMsgId: string } = { to: { conversationId }, clientMsgId: crypto.randomUUID() };
  if (what.kind === 'single') data.forwardOf = { conversationId: what.message.conversationId, messageId: what.message.id };
  else {
    data.type = 'forward';
    data.forward = { conversationId: what.conversationId, messageIds: what.messageIds };
  }
  const ack: Ack = await realtime.send(data);
  if (!getState().history[ack.conversationId]) return; // loaded with its history when opened
  try {
    const page = await api.get<Message[]>(`/conversations/${ack.conversationId}/messages`, { afterSeq: Number(ack.seq) - 1, limit: 1 });
    receive(page, 'own');
  } catch {
    /* sent all the same: the next sync brings it */
  }
}
