// Parley's service worker: shows the server's Web Push notifications (docs/push.md) while no page of Parley is
// visible, and opens the conversation when one is clicked. The server pushes only to users with no connected
// device, so a push normally finds no page at all; a visible page already shows the message itself.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  event.waitUntil(
    (async () => {
      let data = {};
      try {
        data = event.data ? event.data.json() : {};
      } catch {
        data = { title: 'Parley', body: event.data ? event.data.text() : '' };
      }
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (windows.some((w) => w.visibilityState === 'visible' && w.focused)) return;
      const tag = data.type === 'call' ? 'call-' + data.callId : 'c' + (data.conversationId ?? '');
      const body = data.count > 1 ? `${data.body} (${data.count} new)` : data.body ?? '';
      await self.registration.showNotification(data.title || 'Parley', {
        body,
        tag,
        renotify: true,
        requireInteraction: data.type === 'call',
        icon: '/favicon.svg',
        data: { conversationId: data.conversationId ?? null, type: data.type ?? 'message', unreadTotal: data.unreadTotal ?? 0 },
      });
      if ('setAppBadge' in self.navigator && typeof data.unreadTotal === 'number') {
        try {
          await self.navigator.setAppBadge(data.unreadTotal);
        } catch {
          /* badges are a nicety */
        }
      }
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const conversationId = event.notification.data?.conversationId;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const page = windows[0];
      if (page) {
        await page.focus();
        if (conversationId) page.postMessage({ type: 'open-conversation', conversationId });
        return;
      }
      await self.clients.openWindow(conversationId ? '/?conversation=' + encodeURIComponent(conversationId) : '/');
    })(),
  );
});
