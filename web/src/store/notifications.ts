// Telling the user of a message that arrived live, where they will see it: a system notification while the page
// is hidden (the socket is up, so the server sends no push), an in-page notice while the page is visible but
// another conversation (or none) is open. Nothing for my own messages, muted conversations, or the open one.
import { previewOf } from '../display';
import { showFromPage } from '../push';
import type { Message } from '../types';
import { announcementsTitle, conversationTitle, displayName, names } from './people';
import { getState, setState } from './state';

export function announce(m: Message) {
  const state = getState();
  // A group's system notices are not worth a notification; the service's announcements (sender "0") are.
  const announcement = m.senderId === '0';
  if (m.senderId === state.me?.id || (m.type === 'system' && !announcement)) return;
  const c = state.conversations.find((x) => x.id === m.conversationId);
  if (c?.muted) return;
  const sender = announcement ? announcementsTitle : displayName(m.senderId);
  const preview = previewOf(m, names());
  const title = c?.kind === 'group' ? conversationTitle(c) : sender;
  const body = c?.kind === 'group' ? `${sender}: ${preview}` : preview;
  if (document.visibilityState === 'hidden') {
    void showFromPage(title, body, m.conversationId);
    return;
  }
  if (state.selected === m.conversationId) return;
  setState({ notice: { kind: 'info', text: `${title}: ${body}`, conversationId: m.conversationId } });
}
