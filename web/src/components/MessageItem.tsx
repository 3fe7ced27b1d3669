// One message of a chat (text, media, a call record, a system notice, a merged forward), its quote, reactions and
// actions, and a pending send.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { forwardTitle, quoteText } from '../display';
import { endReasons } from '../errors';
import { deleteForMe, discard, displayName, previewOf, recall, retry, type PendingMessage } from '../store';
import type { CallContent, FileRef, MergedForwardContent, Message, ReplyQuote } from '../types';
import { clockTime, duration, fileSize, shortTime } from '../util';
import { Icon } from './Icon';
import { ReactionCounts, ReactionPicker } from './Reactions';

/** The server's recall window (docs/messages.md): Recall is offered within it. */
const recallWindowMs = 2 * 60 * 1000;

/** My newest message (not a call record): the one that shows "Sent" / "Read". */
export function lastMine(items: Message[], me: string): Message | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (items[i].senderId === me && items[i].type !== 'call') return items[i];
  return undefined;
}

/** Calls and group notices go only inside a merged forward (the server refuses them alone: message_not_forwardable). */
export function forwardableAlone(m: Message): boolean {
  return !m.recalled && m.type !== 'call' && m.type !== 'system';
}

export interface MessageActions {
  onReply: () => void;
  /** Absent when the message is not mine to edit (only my text messages are). */
  onEdit?: () => void;
  onForward: () => void;
  /** Starts choosing messages to forward together, with this one chosen. */
  onSelect: () => void;
}

/** While choosing messages to forward together: whether this one is chosen, and how to toggle it. */
export interface Selecting {
  selected: boolean;
  toggle: () => void;
}

export function MessageItem({ m, quoted, mine, showSender, status, actions, selecting }: { m: Message; quoted?: Message; mine: boolean; showSender: boolean; status?: string; actions: MessageActions; selecting?: Selecting }) {
  const [picking, setPicking] = useState(false);
  if (m.type === 'system') {
    return (
      <p class="system" data-testid="message" data-seq={m.seq}>
        {previewOf(m)}
      </p>
    );
  }
  const canRecall = mine && !m.recalled && Date.now() - Date.parse(m.sentAt) < recallWindowMs && m.type !== 'call';
  const edited = !!m.editedAt && !m.recalled;
  const bubble = (
    <div class="bubble">
      {m.forwarded && !m.recalled && (
        <div class="forwarded-label muted small" data-testid="forwarded-label">
          Forwarded
        </div>
      )}
      {m.replyTo && !m.recalled && <Quote q={m.replyTo} quoted={quoted} />}
      <Body m={m} />
      <div class="meta">
        {edited && (
          <span class="edited" data-testid="edited" title={`Edited ${clockTime(m.editedAt!)}`}>
            (edited)
          </span>
        )}
        <time dateTime={m.sentAt}>{clockTime(m.sentAt)}</time>
        {status && (
          <span class="status" data-testid="msg-status">
            {status === 'Read' ? '✓✓ Read' : status === 'Sent' ? '✓ Sent' : status}
          </span>
        )}
      </div>
    </div>
  );
  return (
    <div class={'msg' + (mine ? ' mine' : '') + (selecting?.selected ? ' selected' : '')} data-testid="message" data-seq={m.seq} data-type={m.type} data-mine={mine ? 'true' : 'false'} data-edited={edited ? 'true' : undefined}>
      {showSender && <div class="sender">{displayName(m.senderId)}</div>}
      {selecting && !m.recalled ? (
        <label class="select-row">
          <input type="checkbox" checked={selecting.selected} onChange={selecting.toggle} aria-label={`Select message from ${mine ? 'you' : displayName(m.senderId)}: ${previewOf(m)}`} data-testid="select-message" />
          {bubble}
        </label>
      ) : (
        bubble
      )}
      <ReactionCounts m={m} />
      {picking && !m.recalled && <ReactionPicker m={m} onDone={() => setPicking(false)} />}
      {!m.recalled && !selecting && (
        <div class="actions" role="group" aria-label="Message actions">
          <button type="button" class="small" onClick={actions.onReply}>
            Reply
          </button>
          <button type="button" class="small" aria-label="React" aria-expanded={picking} onClick={() => setPicking(!picking)}>
            React
          </button>
          {actions.onEdit && (
            <button type="button" class="small" onClick={actions.onEdit}>
              Edit
            </button>
          )}
          {forwardableAlone(m) && (
            <button type="button" class="small" onClick={actions.onForward}>
              Forward
            </button>
          )}
          <button type="button" class="small" aria-label="Select messages to forward" title="Select messages to forward together" onClick={actions.onSelect}>
            Select
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
    case 'forward':
      return <MergedForward content={m.content as MergedForwardContent} />;
    default:
      return <p class="text">{previewOf(m)}</p>;
  }
}

/** A merged forward: its title and the first lines, the whole snapshot when expanded. */
function MergedForward({ content }: { content: MergedForwardContent | null }) {
  const [open, setOpen] = useState(false);
  const items = content?.items ?? [];
  const title = forwardTitle({ type: 'forward', content });
  const line = (i: (typeof items)[number]) => `${i.senderName || displayName(i.senderId)}: ${previewOf(i)}`;
  return (
    <div class="merged-forward" data-testid="merged-forward">
      <div class="merged-title">{title}</div>
      {!open && (
        <ul class="list merged-lines muted small">
          {items.slice(0, 3).map((i, n) => (
            <li key={n}>{line(i)}</li>
          ))}
        </ul>
      )}
      {open && (
        <ol class="list merged-items" aria-label={title}>
          {items.map((i, n) => (
            <li key={n} class="merged-item" data-testid="merged-forward-item">
              <div class="muted small">
                <strong>{i.senderName || displayName(i.senderId)}</strong> {shortTime(i.sentAt)}
              </div>
              <Body m={i} />
            </li>
          ))}
        </ol>
      )}
      <button type="button" class="linkish small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide messages' : `Show ${items.length} ${items.length === 1 ? 'message' : 'messages'}`}
      </button>
    </div>
  );
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
