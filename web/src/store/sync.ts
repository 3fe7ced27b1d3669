// Catching up (docs/web-client.md, "Resync"): after every (re)connect `msg.sync` asks, for every loaded
// conversation, for what follows its `upTo`; a live message that skips ahead asks for the gap (one sync at a
// time per conversation). The answers come as `msg.batch` events, which events.ts hands to history.ts.
import { realtime } from '../realtime';
import type { SyncDone } from '../types';
import { loadContacts, loadConversations, refreshConversations } from './conversations';
import { refreshNewest } from './history';
import { getState, onReset, setState } from './state';

/** The server takes at most 1,000 conversations per msg.sync frame (Messaging:MaxSyncConversations). */
const SYNC_CHUNK = 500;

/** msg.sync for the given conversations (after seq); the batches arrive as events. */
export async function sync(after: Record<string, number>) {
  const entries = Object.entries(after);
  const refused: string[] = [];
  for (let i = 0; i < entries.length; i += SYNC_CHUNK) {
    const done = await realtime.request('msg.sync', { conversations: Object.fromEntries(entries.slice(i, i + SYNC_CHUNK)) }, 60_000);
    refused.push(...((done.data as SyncDone | undefined)?.refused ?? []));
  }
  // Conversations I may no longer read (I left the group, it was dissolved): forget what was loaded.
  if (refused.length) {
    setState((s) => {
      const history = { ...s.history };
      for (const id of refused) delete history[id];
      return { history, conversations: s.conversations.filter((c) => !refused.includes(c.id)), selected: s.selected && refused.includes(s.selected) ? null : s.selected };
    });
  }
}

/** After every (re)connect: fill what we missed in every loaded conversation, and reload the list. */
export async function resync() {
  const after: Record<string, number> = {};
  for (const [id, h] of Object.entries(getState().history)) if (h.loaded) after[id] = h.upTo;
  void loadConversations();
  void loadContacts();
  await sync(after);
  const open = getState().selected;
  if (open && after[open] !== undefined) await refreshNewest(open);
}

const gapSyncs = new Set<string>();
onReset(() => gapSyncs.clear());

/** Syncs the gaps found (conversation id → the seq to sync after), skipping conversations already syncing one. */
export function syncGaps(gaps: Record<string, number>) {
  const wanted = Object.fromEntries(Object.entries(gaps).filter(([id]) => !gapSyncs.has(id)));
  const ids = Object.keys(wanted);
  if (!ids.length) return;
  for (const id of ids) gapSyncs.add(id);
  void sync(wanted)
    .catch(() => undefined) // the next reconnect syncs anyway
    .finally(() => {
      ids.forEach((id) => gapSyncs.delete(id));
      // The row counted only the live message as unread, not the ones the gap held: the server's count wins.
      refreshConversations();
    });
}
