// One message of a chat (text, media, a call record, a system notice), its quote and actions, and a pending send.
import { api } from '../api';
import { quoteText } from '../display';
import { endReasons } from '../errors';
import { deleteForMe, discard, displayName, previewOf, recall, retry, type PendingMessage } from '../store';
import type { CallContent, FileRef, Message, ReplyQuote } from '../types';
import { clockTime, duration, fileSize } from '../util';
import { Icon } from './Icon';

/** The server's recall window (docs/messages.md): Recall is offered within it. */
const recallWindowMs = 2 * 60 * 1000;

/** My newest message (not a call record): the one that shows "Sent" / "Read". */
export function lastMine(items: Message[], me: string): Message | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (items[i].senderId === me && items[i].type !== 'call') return items[i];
  return undefined;
}

export function MessageItem({ m, quoted, mine, showSender, status, onReply }: { m: Message; quoted?: Message; mine: boolean; showSender: boolean; status?: string; onReply: () => void }) {
  if (m.type === 'system') {
    return (
      <p class="system" data-testid="message" data-seq={m.seq}>
        {previewOf(m)}
      </p>
    );
  }
  const canRecall = mine && !m.recalled && Date.now() - Date.parse(m.sentAt) < recallWindowMs && m.type !== 'call';
  return (
    <div class={'msg' + (mine ? ' mine' : '')} data-testid="message" data-seq={m.seq} data-type={m.type} data-mine={mine ? 'true' : 'false'}>
      {showSender && <div class="sender">{displayName(m.senderId)}</div>}
      <div class="bubble">
        {m.replyTo && !m.recalled && <Quote q={m.replyTo} quoted={quoted} />}
        <Body m={m} />
        <div class="meta">
          <time dateTime={m.sentAt}>{clockTime(m.sentAt)}</time>
          {status && (
            <span class="status" data-testid="msg-status">
              {status === 'Read' ? '✓✓ Read' : status === 'Sent' ? '✓ Sent' : status}
            </span>
          )}
        </div>
      </div>
      {!m.recalled && (
        <div class="actions" role="group" aria-label="Message actions">
          <button type="button" class="small" onClick={onReply}>
            Reply
          </button>
          {canRecall && (
            <button type="button" class="small" onClick={() => void recall(m)}>
              Recall
            </button>
          )}
          <button type="button" class="small" onClick={() => confirm('Delete this message for you?') && void deleteForMe(m)}>
            Delete
          </button>
        </div>
      )}
    </div>
  );
}

/** The quoted message: worded from the message itself when it is loaded, else from the quote's type and text. */
function Quote({ q, quoted }: { q: ReplyQuote; quoted?: Message }) {
  const text = quoted && !q.recalled ? previewOf(quoted) : quoteText(q);
  return (
    <blockquote class="quote" data-testid="reply-quote">
      <strong>{displayName(q.senderId)}</strong> {text}
    </blockquote>
  );
}

function Body({ m }: { m: { type: Message['type']; content: unknown; file?: FileRef | null; recalled?: boolean; senderId?: string } }) {
  if (m.recalled)
    return (
      <p class="recalled" data-testid="recalled">
        {m.senderId === undefined ? 'Message recalled' : `${displayName(m.senderId)} recalled a message`}
      </p>
    );
  const caption = typeof m.content === 'string' && m.content ? <p class="text">{m.content}</p> : null;
  switch (m.type) {
    case 'text':
      return <p class="text">{String(m.content ?? '')}</p>;
    case 'emoji':
      return <p class="text emoji">{String(m.content ?? '')}</p>;
    case 'image':
      return (
        <>
          {m.file && (
            <a href={api.fileUrl(m.file.url)} target="_blank" rel="noopener">
              <img class="image" src={api.fileUrl(m.file.url)} alt={m.file.name || 'Photo'} width={m.file.width ?? undefined} height={m.file.height ?? undefined} loading="lazy" data-testid="message-image" />
            </a>
          )}
          {caption}
        </>
      );
    case 'voice':
      return (
        <>
          {m.file && <audio controls preload="none" src={api.fileUrl(m.file.url)} aria-label="Voice message" />}
          {m.file?.durationMs ? <span class="muted small">{duration(m.file.durationMs)}</span> : null}
        </>
      );
    case 'video':
      return <>{m.file && <video class="image" controls preload="metadata" src={api.fileUrl(m.file.url)} />}{caption}</>;
    case 'file':
      return (
        <>
          {m.file && (
            <a class="file" href={api.fileUrl(m.file.url)} download={m.file.name}>
              <Icon name="file" size={18} /> {m.file.name} <span class="muted small">{fileSize(m.file.size)}</span>
            </a>
          )}
          {caption}
        </>
      );
    case 'call': {
      const c = m.content as CallContent;
      const label = c?.media === 'video' ? 'Video call' : 'Voice call';
      const answered = c?.durationMs > 0 || c?.endReason === 'hung_up';
      return (
        <p class="call-record" data-testid="call-record">
          <Icon name={c?.media === 'video' ? 'video' : 'phone'} size={16} /> {label} · {answered ? duration(c.durationMs ?? 0) : (endReasons[c?.endReason] ?? 'Ended')}
        </p>
      );
    }
    default:
      return <p class="text">{previewOf(m)}</p>;
  }
}

export function PendingItem({ p, chatKey }: { p: PendingMessage; chatKey: string }) {
  return (
    <div class="msg mine pending" data-testid="pending-message" data-state={p.state}>
      <div class="bubble">
        <Body m={{ type: p.type, content: p.content, file: p.file }} />
        <div class="meta">
          {p.state === 'uploading' && (
            <>
              <progress max={1} value={p.progress ?? 0} aria-label="Upload progress" data-testid="upload-progress" /> {Math.round((p.progress ?? 0) * 100)}%
            </>
          )}
          {p.state === 'sending' && <span class="status">Sending…</span>}
          {p.state === 'failed' && (
            <span class="error small" role="alert">
              Not sent: {p.error}{' '}
              <button type="button" class="linkish small" onClick={() => retry(chatKey, p)}>
                Retry
              </button>{' '}
              <button type="button" class="linkish small" onClick={() => discard(chatKey, p)}>
                Discard
              </button>
            </span>
          )}
        </div>
      </div>
    </div>
  );
}
