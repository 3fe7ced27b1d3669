// "Forward to": pick one or more of my conversations and send the message (or the selected messages, merged) there.
import { useEffect, useRef, useState } from 'preact/hooks';
import { conversationTitle, forward, useStore, type Forwarding } from '../store';
import { Avatar } from './Avatar';

export function ForwardDialog({ what, onClose }: { what: Forwarding; onClose: (sent: boolean) => void }) {
  const conversations = useStore((s) => s.conversations);
  useStore((s) => s.friends); // titles use friends' remarks
  const [chosen, setChosen] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [sending, setSending] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => dialog.current?.querySelector<HTMLInputElement>('input')?.focus(), []);

  // System conversations (announcements) take no messages from members.
  const targets = conversations.filter((c) => c.kind !== 'system' && conversationTitle(c).toLowerCase().includes(filter.trim().toLowerCase()));
  const count = what.kind === 'merged' ? what.messageIds.length : 1;

  async function submit(e: Event) {
    e.preventDefault();
    if (!chosen.length || sending) return;
    setSending(true);
    await forward(what, chosen);
    onClose(true);
  }

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose(false)}>
      <div
        class="dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby="forward-title"
        ref={dialog}
        data-testid="forward-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose(false);
        }}
      >
        <form class="stack" onSubmit={submit}>
          <h1 id="forward-title" class="dialog-title">
            {what.kind === 'merged' ? `Forward ${count} messages as one` : 'Forward to'}
          </h1>
          <label>
            <span class="sr-only">Find a chat</span>
            <input type="search" placeholder="Find a chat" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          </label>
          <ul class="list forward-targets" aria-label="Chats to forward to">
            {!targets.length && <li class="muted small">No chats.</li>}
            {targets.map((c) => {
              const title = conversationTitle(c);
              return (
                <li key={c.id}>
                  <label class="check forward-target">
                    <input
                      type="checkbox"
                      checked={chosen.includes(c.id)}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setChosen((list) => (on ? [...list, c.id] : list.filter((x) => x !== c.id)));
                      }}
                    />
                    <Avatar name={title} src={c.kind === 'group' ? c.group?.icon : c.peer?.avatar} size={28} />
                    <span class="grow">{title}</span>
                  </label>
                </li>
              );
            })}
          </ul>
          <div class="row end">
            <button type="button" class="secondary" onClick={() => onClose(false)}>
              Cancel
            </button>
            <button type="submit" class="primary" disabled={!chosen.length || sending} data-testid="forward-send">
              {sending ? 'Forwarding…' : chosen.length > 1 ? `Forward to ${chosen.length} chats` : 'Forward'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
