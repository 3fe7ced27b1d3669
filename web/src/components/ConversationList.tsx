import { conversationTitle, displayName, isOnline, previewOf, setState, useStore } from '../store';
import type { Conversation } from '../types';
import { shortTime } from '../util';
import { Avatar } from './Avatar';
import { BotBadge } from './BotBadge';
import { Icon } from './Icon';

export function ConversationList() {
  const conversations = useStore((s) => s.conversations);
  const loaded = useStore((s) => s.conversationsLoaded);
  const selected = useStore((s) => s.selected);
  useStore((s) => s.presence);
  useStore((s) => s.friends);
  useStore((s) => s.typing);

  if (!loaded) return <p class="muted pad">Loading…</p>;
  if (!conversations.length)
    return (
      <div class="pad muted">
        <p>No conversations yet.</p>
        <button type="button" class="secondary" onClick={() => setState({ panel: 'contacts' })}>
          Find people
        </button>
      </div>
    );
  return (
    <ul class="list" aria-label="Conversations" data-testid="conversation-list">
      {conversations.map((c) => (
        <Item key={c.id} c={c} active={c.id === selected} />
      ))}
    </ul>
  );
}

function Item({ c, active }: { c: Conversation; active: boolean }) {
  const title = conversationTitle(c);
  const typing = useStore((s) => Object.keys(s.typing[c.id] ?? {}).length > 0);
  const last = c.lastMessage;
  let preview = last ? previewOf(last) : '';
  if (last && c.kind === 'group' && last.senderId && last.type !== 'system') preview = `${displayName(last.senderId)}: ${preview}`;
  const avatar = c.kind === 'group' ? c.group?.icon : c.peer?.avatar;
  return (
    <li>
      <button
        type="button"
        class={'conversation' + (active ? ' active' : '')}
        aria-current={active ? 'true' : undefined}
        onClick={() => setState({ selected: c.id })}
        data-testid="conversation"
        data-conversation-id={c.id}
        data-title={title}
      >
        <Avatar name={title} src={avatar ?? undefined} online={c.kind === 'direct' ? isOnline(c) : undefined} />
        <span class="conv-body">
          <span class="conv-top">
            <span class="conv-title">
              {c.pinned && (
                <span class="pin" role="img" aria-label="Pinned" title="Pinned">
                  <Icon name="pin" size={14} />
                </span>
              )}
              {title}
              {c.peer?.bot && <BotBadge />}
            </span>
            <time class="conv-time" dateTime={last?.sentAt}>
              {shortTime(last?.sentAt)}
            </time>
          </span>
          <span class="conv-bottom">
            <span class="conv-preview">
              {c.mentioned && c.unreadCount > 0 && <strong class="mention">[You were mentioned] </strong>}
              {typing ? <em>typing…</em> : preview}
            </span>
            {c.muted && (
              <span class="muted-icon" role="img" aria-label="Muted" title="Muted">
                <Icon name="bellOff" size={14} />
              </span>
            )}
            {c.unreadCount > 0 && (
              <span class={'badge' + (c.muted ? ' quiet' : '')} data-testid="unread-badge" aria-label={`${c.unreadCount} unread`}>
                {c.unreadCount > 99 ? '99+' : c.unreadCount}
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}

