import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dismissCall, hangUp, wireCalls } from '../calls';
import { onOpenConversation, registerWorker } from '../push';
import { realtime } from '../realtime';
import { getState, loadContacts, loadConversations, reset, setState, useStore, wireEvents } from '../store';
import { CallView } from './CallView';
import { Chat } from './Chat';
import { Contacts } from './Contacts';
import { ConversationList } from './ConversationList';
import { Icon } from './Icon';
import { Login } from './Login';
import { Profile } from './Profile';

wireEvents();
wireCalls();
onOpenConversation((id) => setState({ selected: id, panel: 'chats', notice: null }));

export function App() {
  const [signedIn, setSignedIn] = useState(!!api.current);
  useEffect(
    () =>
      api.subscribe((s) => {
        setSignedIn(!!s);
        if (s) setState({ me: s.user });
      }),
    [],
  );
  useEffect(() => {
    if (!signedIn) {
      hangUp();
      dismissCall();
      realtime.stop();
      reset();
      return;
    }
    setState({ me: api.current!.user });
    void loadConversations();
    void loadContacts();
    realtime.start();
    void registerWorker();
    const visible = () => document.visibilityState === 'visible' && realtime.kick();
    document.addEventListener('visibilitychange', visible);
    return () => document.removeEventListener('visibilitychange', visible);
  }, [signedIn]);
  return signedIn ? <Shell /> : <Login />;
}

function Shell() {
  const panel = useStore((s) => s.panel);
  const selected = useStore((s) => s.selected);
  const status = useStore((s) => s.status);
  const notice = useStore((s) => s.notice);
  const requests = useStore((s) => s.requests.length);
  const unread = useStore((s) => s.conversations.reduce((n, c) => n + (c.muted ? 0 : c.unreadCount), 0));

  useEffect(() => {
    document.title = unread ? `(${unread}) Parley` : 'Parley';
  }, [unread]);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => getState().notice === notice && setState({ notice: null }), 6000);
    return () => clearTimeout(t);
  }, [notice]);

  return (
    <div class={'shell' + (selected ? ' has-chat' : '')}>
      <aside class="sidebar" aria-label="Conversations and contacts">
        <nav class="tabs" role="tablist" aria-label="Sections">
          <Tab id="chats" label="Chats" count={unread} current={panel} />
          <Tab id="contacts" label="Contacts" count={requests} current={panel} />
          <Tab id="profile" label="Profile" current={panel} />
        </nav>
        {status !== 'online' && (
          <p class="connection" role="status" data-testid="connection-status">
            {status === 'connecting' ? 'Connecting…' : 'Offline: reconnecting…'}
          </p>
        )}
        <div class="panel" role="tabpanel" id="panel" aria-labelledby={'tab-' + panel}>
          {panel === 'chats' && <ConversationList />}
          {panel === 'contacts' && <Contacts />}
          {panel === 'profile' && <Profile />}
        </div>
      </aside>
      <main class="main">{selected ? <Chat key={selected} id={selected} /> : <Empty />}</main>
      <CallView />
      <div class="toast-area" aria-live="assertive">
        {notice && (
          <div class={'toast ' + notice.kind} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
            {notice.conversationId ? (
              <button type="button" class="linkish" data-testid="notice-open" onClick={() => setState({ selected: notice.conversationId!, panel: 'chats', notice: null })}>
                {notice.text}
              </button>
            ) : (
              <span>{notice.text}</span>
            )}
            <button type="button" class="icon" aria-label="Dismiss" onClick={() => setState({ notice: null })}>
              <Icon name="close" size={16} />
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

function Tab({ id, label, count, current }: { id: 'chats' | 'contacts' | 'profile'; label: string; count?: number; current: string }) {
  return (
    <button type="button" role="tab" aria-selected={current === id} class={current === id ? 'tab active' : 'tab'} onClick={() => setState({ panel: id })} data-testid={'tab-' + id} id={'tab-' + id} aria-controls="panel">
      {label}
      {!!count && (
        <span class="badge" aria-label={`${count} new`}>
          {count}
        </span>
      )}
    </button>
  );
}

function Empty() {
  return (
    <div class="empty">
      <h1>Parley</h1>
      <p>Choose a conversation, or find people under Contacts.</p>
    </div>
  );
}
