import { befriend, expect, register, test } from './helpers';

// Notifications in Chromium (docs/push.md, docs/web-client.md). Headless Chromium has no connection to a real push
// service here (no network), so PushManager.subscribe cannot complete: the test checks the permission flow up to
// that point, and drives the service worker's push handler through the DevTools protocol
// (ServiceWorker.deliverPushMessage), as a push service would.

test('permission is asked only after a click; the service worker shows a push while no page is open; in-page notices open their conversation', async ({ browser }) => {
  const ann = await register(browser, 'Ann');
  const ben = await register(browser, 'Ben');
  await befriend(ann, ben);

  // Nothing asks for permission on load: count the asks from now on.
  await ben.page.addInitScript(() => {
    const w = window as unknown as { parleyAsks: number };
    w.parleyAsks = 0;
    const ask = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = (...args) => {
      w.parleyAsks++;
      return ask(...args);
    };
  });
  await ben.context.grantPermissions(['notifications']);
  await ben.page.reload();
  await expect(ben.page.getByTestId('tab-chats')).toBeVisible();
  await ben.page.getByTestId('tab-profile').click();
  await expect(ben.page.getByTestId('push-status')).toHaveText(/off/);
  expect(await ben.page.evaluate(() => (window as unknown as { parleyAsks: number }).parleyAsks)).toBe(0);

  // A click asks; the browser then subscribes with the server's VAPID key, which headless Chromium refuses here
  // ("Registration failed"): the page says so instead of failing silently.
  await ben.page.getByTestId('push-enable').click();
  await expect.poll(() => ben.page.evaluate(() => (window as unknown as { parleyAsks: number }).parleyAsks)).toBe(1);
  await expect(ben.page.getByTestId('push-error')).toContainText('push service could not be reached');

  // An in-page notice while Ben looks at another part of the app; a click opens the conversation.
  await ben.page.getByTestId('tab-chats').click();
  const annApi = await ann.page.evaluate(async (benId) => {
    const session = JSON.parse(localStorage.getItem('parley.session')!);
    const r = await fetch('/api/v1/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + session.accessToken },
      body: JSON.stringify({ to: { userId: benId }, clientMsgId: crypto.randomUUID(), type: 'text', content: 'Are you free tonight?' }),
    });
    return (await r.json()) as { conversationId: string };
  }, ben.id);
  const notice = ben.page.getByTestId('notice-open');
  await expect(notice).toHaveText('Ann: Are you free tonight?');
  await notice.click();
  await expect(ben.page.getByTestId('chat-title')).toHaveText('Ann');

  // The service worker: with no page of Parley open, a push becomes a system notification with sender and preview.
  const cdp = await ben.context.newCDPSession(ben.page);
  const registrations = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
    for (const r of e.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await expect.poll(() => registrations.size).toBeGreaterThan(0);
  const [scopeURL, registrationId] = [...registrations][0];
  const origin = new URL(scopeURL).origin;

  const keeper = await ben.context.newPage(); // a blank page keeps the DevTools session's browser context alive
  await keeper.goto('about:blank');
  const worker = await ben.context.newCDPSession(keeper);
  await ben.page.close();
  await worker.send('ServiceWorker.enable');
  await worker.send('ServiceWorker.deliverPushMessage', {
    origin,
    registrationId,
    data: JSON.stringify({ type: 'message', conversationId: annApi.conversationId, seq: 2, title: 'Ann', body: 'See you at eight', unreadTotal: 1, count: 1 }),
  });

  const page = await ben.context.newPage();
  await page.goto('/');
  await expect
    .poll(() =>
      page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => `${n.title}|${n.body}|${n.tag}`);
      }),
    )
    .toContain(`Ann|See you at eight|c${annApi.conversationId}`);

  await ann.context.close();
  await ben.context.close();
});
