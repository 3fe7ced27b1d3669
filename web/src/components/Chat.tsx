import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api';
import { startCall } from '../calls';
import { realtime } from '../realtime';
import {
  conversationTitle,
  displayName,
  editMessage,
  isOnline,
  lastEditable,
  loadHistory,
  markRead,
  notify,
  peerIdOf,
  previewOf,
  searchMessages,
  send,
  sendFile,
  setConversationFlags,
  setMessageTtl,
  setState,
  useStore,
  type Forwarding,
} from '../store';
import type { Message } from '../types';
import { emojis, imageSize, shortTime } from '../util';
import { Avatar } from './Avatar';
import { BotBadge } from './BotBadge';
import { ForwardDialog } from './ForwardDialog';
import { GroupInfo } from './GroupInfo';
import { Icon } from './Icon';
import { lastMine, MessageItem, PendingItem } from './MessageItem';

export function Chat({ id }: { id: string }) {
  const conversation = useStore((s) => s.conversations.find((c) => c.id === id));
  const history = useStore((s) => s.history[id]);
  const pending = useStore((s) => s.pending[id]);
  const peerRead = useStore((s) => s.peerRead[id]);
  const typing = useStore((s) => s.typing[id]);
  const friends = useStore((s) => s.friends);
  useStore((s) => s.presence);
  useStore((s) => s.users);
  const me = useStore((s) => s.me)!;
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const [forwarding, setForwarding] = useState<Forwarding | null>(null);
  /** Messages chosen to forward together (merged), in the order chosen; null when not choosing. */
  const [selection, setSelection] = useState<string[] | null>(null);
  const [showInfo, setShowInfo] = useState(false);
  const [showSearch, setShowSearch] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const restore = useRef<{ height: number; top: number } | null>(null);
  const [announce, setAnnounce] = useState('');

  const draftPeer = id.startsWith('user:') ? id.slice(5) : undefined;
  const friend = friends.find((f) => f.userId === (draftPeer ?? (conversation ? peerIdOf(conversation) : undefined)));
  const title = conversation ? conversationTitle(conversation) : (friend?.remark || friend?.nickname) ?? 'Conversation';
  const isGroup = conversation?.kind === 'group';
  // The service's announcements: read-only (the server refuses sends with conversation_read_only), so no composer.
  const isSystem = conversation?.kind === 'system';
  const peerId = draftPeer ?? (conversation && !isGroup ? peerIdOf(conversation) : undefined);
  const online = conversation ? isOnline(conversation) : friend?.online;
  const typers = Object.keys(typing ?? {}).filter((u) => u !== me.id);

  useEffect(() => {
    if (!draftPeer && !history) void loadHistory(id);
    setEditing(null);
    setSelection(null);
    setForwarding(null);
  }, [id]);

  // A new chat with a friend becomes the real conversation as soon as one exists (first message, a call record).
  const existing = useStore((s) => (draftPeer ? s.conversations.find((c) => c.kind === 'direct' && peerIdOf(c) === draftPeer)?.id : undefined));
  useEffect(() => {
    if (existing) setState({ selected: existing });
  }, [existing]);

  const items = history?.items ?? [];
  const last = items[items.length - 1];
  const bySeq = new Map(items.map((m) => [m.seq, m]));

  // Keep the view at the bottom as messages arrive (when it was there), and in place when older ones load.
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    if (restore.current) {
      el.scrollTop = el.scrollHeight - restore.current.height + restore.current.top;
      restore.current = null;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [items.length, items[0]?.seq, pending?.length]);

  // Mark read what is on screen while the tab is visible.
  useEffect(() => {
    if (draftPeer || !last) return;
    const read = () => document.visibilityState === 'visible' && atBottom.current && markRead(id);
    read();
    document.addEventListener('visibilitychange', read);
    return () => document.removeEventListener('visibilitychange', read);
  }, [id, last?.seq]);

  useEffect(() => {
    if (last && last.senderId !== me.id) setAnnounce(`${displayName(last.senderId)}: ${previewOf(last)}`);
  }, [last?.seq]);

  function onScroll() {
    const el = listRef.current!;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (atBottom.current) markRead(id);
    if (el.scrollTop < 80 && history?.hasMore && !history.loading) {
      restore.current = { height: el.scrollHeight, top: el.scrollTop };
      void loadHistory(id);
    }
  }

  function readLabel(m: Message): string {
    if (isGroup) {
      const n = Object.entries(peerRead ?? {}).filter(([u, seq]) => u !== me.id && seq >= m.seq).length;
      return n ? `Read by ${n}` : 'Sent';
    }
    return peerId && (peerRead?.[peerId] ?? 0) >= m.seq ? 'Read' : 'Sent';
  }

  const avatar = isGroup ? conversation?.group?.icon : (conversation?.peer?.avatar ?? friend?.avatar);
  return (
    <section class={'chat' + (isSystem ? ' announcements' : '')} aria-label={isSystem ? title : `Conversation with ${title}`} data-testid="chat" data-conversation-id={id}>
      <header class="chat-head">
        <button type="button" class="icon back" aria-label="Back to conversations" onClick={() => setState({ selected: null })}>
          <Icon name="back" />
        </button>
        <Avatar name={title} src={avatar} online={isGroup ? undefined : online} size={36} />
        <div class="grow">
          <h1 class="chat-title" data-testid="chat-title">
            {title}
            {conversation?.peer?.bot && <BotBadge />}
          </h1>
          <div class="muted small" aria-live="polite" data-testid="chat-subtitle">
            {isSystem ? (
              'From the service'
            ) : typers.length ? (
              <span data-testid="typing">{isGroup ? `${typers.map(displayName).join(', ')} typing…` : 'typing…'}</span>
            ) : isGroup ? (
              `${conversation?.group?.memberCount ?? ''} members`
            ) : online ? (
              'online'
            ) : (
              'offline'
            )}
          </div>
        </div>
        {peerId && (
          <>
            <button type="button" class="icon" aria-label="Voice call" title="Voice call" onClick={() => void startCall(peerId, 'audio')}>
              <Icon name="phone" />
            </button>
            <button type="button" class="icon" aria-label="Video call" title="Video call" onClick={() => void startCall(peerId, 'video')}>
              <Icon name="video" />
            </button>
          </>
        )}
        {conversation && (
          <>
            <button type="button" class="icon" aria-label={conversation.pinned ? 'Unpin' : 'Pin to top'} aria-pressed={conversation.pinned} title="Pin" onClick={() => setConversationFlags(conversation, { pinned: !conversation.pinned })}>
              <Icon name="pin" />
            </button>
            <button type="button" class="icon" aria-label={conversation.muted ? 'Unmute notifications' : 'Mute notifications'} aria-pressed={conversation.muted} title="Mute" onClick={() => setConversationFlags(conversation, { muted: !conversation.muted })}>
              <Icon name={conversation.muted ? 'bellOff' : 'bell'} />
            </button>
          </>
        )}
        {conversation && (
          <button type="button" class="icon" aria-label="Search in this conversation" aria-expanded={showSearch} title="Search" onClick={() => setShowSearch(!showSearch)}>
            <Icon name="search" />
          </button>
        )}
        {isGroup && (
          <button type="button" class="icon" aria-label="Group info" aria-expanded={showInfo} onClick={() => setShowInfo(!showInfo)} data-testid="group-info-toggle">
            <Icon name="info" />
          </button>
        )}
      </header>
      {conversation && !isSystem && (
        <div class="ttl-bar small muted" data-testid="ttl-bar">
          {conversation.messageTtlSeconds ? (
            <span role="status" data-testid="ttl-notice">
              Disappearing messages: new messages go {ttlText(conversation.messageTtlSeconds)} after they are sent.
            </span>
          ) : null}
          <label>
            Disappearing messages
            <select
              data-testid="ttl-select"
              value={String(conversation.messageTtlSeconds ?? '')}
              onChange={(e) => {
                const value = e.currentTarget.value;
                void setMessageTtl(conversation, value ? Number(value) : null);
              }}
            >
              <option value="">Off</option>
              {ttlChoices.map((seconds) => (
                <option key={seconds} value={String(seconds)}>
                  {ttlText(seconds)}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {showSearch && conversation && <SearchPanel conversationId={conversation.id} onClose={() => setShowSearch(false)} />}
      <div class="chat-body">
        <div class="messages" ref={listRef} onScroll={onScroll} role="log" aria-label="Messages" tabIndex={0} data-testid="messages">
          {history?.loading && <p class="muted center small">Loading earlier messages…</p>}
          {history && !history.hasMore && items.length > 0 && <p class="muted center small">This is the beginning of the conversation.</p>}
          {draftPeer && <p class="muted center small">Say hello to {title}.</p>}
          {items.map((m, i) => (
            <MessageItem
              key={m.seq}
              m={m}
              quoted={m.replyTo ? bySeq.get(m.replyTo.seq) : undefined}
              mine={m.senderId === me.id}
              showSender={isGroup && m.senderId !== me.id && items[i - 1]?.senderId !== m.senderId}
              status={m.senderId === me.id && m === lastMine(items, me.id) ? readLabel(m) : undefined}
              actions={{
                onReply: () => {
                  setEditing(null);
                  setReplyTo(m);
                },
                onEdit:
                  m.senderId === me.id && m.type === 'text'
                    ? () => {
                        setReplyTo(null);
                        setEditing(m);
                      }
                    : undefined,
                onForward: () => setForwarding({ kind: 'single', message: m }),
                onSelect: () => setSelection([m.id]),
              }}
              selecting={
                selection
                  ? { selected: selection.includes(m.id), toggle: () => setSelection((list) => (list ? (list.includes(m.id) ? list.filter((x) => x !== m.id) : [...list, m.id]) : list)) }
                  : undefined
              }
            />
          ))}
          {(pending ?? []).map((p) => (
            <PendingItem key={p.clientMsgId} p={p} chatKey={id} />
          ))}
        </div>
        {showInfo && conversation?.group && <GroupInfo groupId={conversation.group.id} onClose={() => setShowInfo(false)} />}
      </div>
      <div class="sr-only" aria-live="polite" data-testid="announcer">
        {announce}
      </div>
      {selection && conversation && (
        <div class="selection-bar" role="toolbar" aria-label="Selected messages" data-testid="selection-bar">
          <span class="grow" aria-live="polite">
            {selection.length === 1 ? '1 message selected' : `${selection.length} messages selected`}
          </span>
          <button type="button" class="secondary" onClick={() => setSelection(null)}>
            Cancel
          </button>
          <button
            type="button"
            class="primary"
            aria-label="Forward selected messages"
            disabled={!selection.length}
            onClick={() => setForwarding({ kind: 'merged', conversationId: conversation.id, messageIds: selection })}
          >
            Forward
          </button>
        </div>
      )}
      {isSystem && (
        <p class="read-only muted small center" data-testid="read-only-note">
          Only the service posts here: announcements cannot be answered.
        </p>
      )}
      {/* Hidden, not gone, while messages are chosen: what was typed stays. Never there for the read-only announcements. */}
      {!isSystem && (
      <div class="composer-wrap" hidden={!!(selection && conversation)}>
        <Composer
          chatKey={id}
          conversationId={conversation?.id}
          replyTo={replyTo}
          clearReply={() => setReplyTo(null)}
          editing={editing}
          setEditing={setEditing}
          editLast={() => {
            const m = lastEditable(items, me.id);
            if (m) {
              setReplyTo(null);
              setEditing(m);
            }
            return !!m;
          }}
        />
      </div>
      )}
      {forwarding && (
        <ForwardDialog
          what={forwarding}
          onClose={(sent) => {
            setForwarding(null);
            if (sent && forwarding.kind === 'merged') setSelection(null);
          }}
        />
      )}
    </section>
  );
}

function SearchPanel({ conversationId, onClose }: { conversationId: string; onClose: () => void }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Message[] | null>(null);
  const [error, setError] = useState('');
  async function run(e: Event) {
    e.preventDefault();
    setError('');
    if (!q.trim()) return;
    try {
      setHits(await searchMessages(conversationId, q.trim()));
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <div class="search-panel">
      <form class="row" role="search" onSubmit={run}>
        <label class="grow">
          <span class="sr-only">Search messages</span>
          <input type="search" placeholder="Search messages" value={q} onInput={(e) => setQ(e.currentTarget.value)} autoFocus />
        </label>
        <button type="submit" class="primary small">
          Search
        </button>
        <button type="button" class="icon" aria-label="Close search" onClick={onClose}>
          <Icon name="close" size={16} />
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {hits && (
        <ul class="list search-hits" aria-label="Search results" aria-live="polite">
          {!hits.length && <li class="muted small">Nothing found.</li>}
          {hits.map((m) => (
            <li key={m.id} class="small">
              <strong>{displayName(m.senderId)}</strong> <span class="muted">{shortTime(m.sentAt)}</span>: {previewOf(m)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface ComposerProps {
  chatKey: string;
  conversationId?: string;
  replyTo: Message | null;
  clearReply: () => void;
  /** My text message being edited (its words in the box, Save instead of Send), or null. */
  editing: Message | null;
  setEditing: (m: Message | null) => void;
  /** Up in an empty box: edit my last text message; false when there is none. */
  editLast: () => boolean;
}

function Composer({ chatKey, conversationId, replyTo, clearReply, editing, setEditing, editLast }: ComposerProps) {
  const [text, setText] = useState('');
  const [editError, setEditError] = useState('');
  const [saving, setSaving] = useState(false);
  /** What was typed before an edit began: back in the box when the edit ends. */
  const draft = useRef('');
  const editingId = useRef<string | null>(null);
  const [showEmoji, setShowEmoji] = useState(false);
  const [recording, setRecording] = useState<{ recorder: MediaRecorder; started: number } | null>(null);
  const lastTyping = useRef(0);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => input.current?.focus(), [chatKey, replyTo, editing?.id]);

  // An edit begins: its words go into the box (what was typed waits); it ends: the typed words come back.
  useEffect(() => {
    if (editing && editingId.current !== editing.id) {
      if (editingId.current === null) draft.current = text;
      editingId.current = editing.id;
      setText(String(editing.content ?? ''));
      setEditError('');
    } else if (!editing && editingId.current !== null) {
      editingId.current = null;
      setText(draft.current);
      draft.current = '';
      setEditError('');
    }
  }, [editing?.id]);

  async function save(m: Message, value: string) {
    if (value === String(m.content ?? '')) return setEditing(null);
    setSaving(true);
    setEditError('');
    try {
      await editMessage(m, value);
      setEditing(null);
    } catch (err) {
      setEditError(errorText(err));
    } finally {
      setSaving(false);
    }
  }

  function submit(e?: Event) {
    e?.preventDefault();
    const value = text.trim();
    if (!value) return;
    if (editing) {
      if (!saving) void save(editing, value);
      return;
    }
    const onlyEmoji = /^\p{Extended_Pictographic}(\u200d\p{Extended_Pictographic}|\ufe0f)*$/u.test(value) && value.length <= 16;
    void send(chatKey, onlyEmoji ? 'emoji' : 'text', value, null, replyTo);
    setText('');
    clearReply();
    setShowEmoji(false);
  }

  function onInput(value: string) {
    setText(value);
    if (conversationId && value && !editing && Date.now() - lastTyping.current > 3000) {
      lastTyping.current = Date.now();
      realtime.notify('typing', { conversationId });
    }
  }

  async function attach(e: Event) {
    const el = e.currentTarget as HTMLInputElement;
    const files = [...(el.files ?? [])];
    el.value = '';
    for (const file of files) {
      if (file.type.startsWith('image/')) void sendFile(chatKey, file, file.name, 'image', (await imageSize(file)) ?? {}, replyTo);
      else if (file.type.startsWith('video/')) void sendFile(chatKey, file, file.name, 'video', {}, replyTo);
      else if (file.type.startsWith('audio/')) void sendFile(chatKey, file, file.name, 'voice', {}, replyTo);
      else void sendFile(chatKey, file, file.name, 'file', {}, replyTo);
    }
    clearReply();
  }

  async function toggleRecording() {
    if (recording) {
      recording.recorder.stop();
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const recorder = new MediaRecorder(stream);
      const chunks: Blob[] = [];
      const started = Date.now();
      recorder.ondataavailable = (ev) => chunks.push(ev.data);
      recorder.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        setRecording(null);
        const blob = new Blob(chunks, { type: recorder.mimeType || 'audio/webm' });
        const ms = Date.now() - started;
        if (ms < 500) return notify('Hold on a little longer to record a voice message.', 'info');
        const ext = blob.type.includes('ogg') ? 'ogg' : blob.type.includes('mp4') ? 'm4a' : 'webm';
        void sendFile(chatKey, blob, `voice-${new Date().toISOString().replace(/[:.]/g, '-')}.${ext}`, 'voice', { durationMs: ms });
      };
      recorder.start();
      setRecording({ recorder, started });
    } catch (err) {
      notify(err instanceof DOMException ? 'The microphone is not available.' : String(err));
    }
  }

  return (
    <form class="composer" onSubmit={submit} aria-label="Write a message">
      {editing && (
        <div class="replying editing" data-testid="editing">
          <div class="grow">
            <span>
              Editing: <span class="muted">{previewOf(editing)}</span>
            </span>
            {editError && (
              <p class="error small" role="alert" data-testid="edit-error">
                Not saved: {editError}
              </p>
            )}
          </div>
          <button type="button" class="icon" aria-label="Cancel editing" onClick={() => setEditing(null)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {replyTo && (
        <div class="replying" data-testid="replying">
          <span class="grow">
            Replying to <strong>{displayName(replyTo.senderId)}</strong>: {previewOf(replyTo)}
          </span>
          <button type="button" class="icon" aria-label="Cancel reply" onClick={clearReply}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {showEmoji && (
        <div class="emoji-grid" role="group" aria-label="Emoji">
          {emojis.map((e) => (
            <button type="button" key={e} class="emoji-btn" aria-label={`Insert ${e}`} onClick={() => onInput(text + e)}>
              {e}
            </button>
          ))}
        </div>
      )}
      <div class="composer-row">
        <button type="button" class="icon" aria-label="Emoji" aria-expanded={showEmoji} onClick={() => setShowEmoji(!showEmoji)}>
          <Icon name="smile" />
        </button>
        <label class="icon file-label" title="Attach a photo or file">
          <Icon name="clip" />
          <span class="sr-only">Attach a photo or file</span>
          <input type="file" multiple onChange={attach} data-testid="attach" class="sr-only" />
        </label>
        <label class="grow">
          <span class="sr-only">Message</span>
          <textarea
            ref={input}
            rows={1}
            placeholder="Message"
            value={text}
            maxLength={4000}
            onInput={(e) => onInput(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
              if (e.key === 'Escape') {
                if (editing) setEditing(null);
                else clearReply();
              }
              // Up in an empty box edits my last message, as in most chat apps.
              if (e.key === 'ArrowUp' && !text && !editing && !e.isComposing && editLast()) e.preventDefault();
            }}
            data-testid="composer"
          />
        </label>
        {editing ? (
          <button type="submit" class="primary" disabled={!text.trim() || saving} data-testid="save-edit">
            {saving ? 'Saving…' : 'Save'}
          </button>
        ) : text.trim() ? (
          <button type="submit" class="primary" data-testid="send">
            Send
          </button>
        ) : (
          <button type="button" class={recording ? 'danger' : 'icon'} aria-label={recording ? 'Stop and send voice message' : 'Record a voice message'} aria-pressed={!!recording} onClick={toggleRecording}>
            {recording ? '■ Stop' : <Icon name="mic" />}
          </button>
        )}
      </div>
    </form>
  );
}

const ttlChoices = [30, 300, 3600, 86_400, 604_800];

function ttlText(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
