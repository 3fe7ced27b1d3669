import { conversation, expect, register, test } from './helpers';

/** The embedding product's calls (the platform API), with the key global-setup made. */
async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${process.env.PARLEY_E2E_URL}/api/v1/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${process.env.PARLEY_E2E_API_KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

test('the service announcements arrive live in a read-only Announcements conversation, and a bot is marked as one', async ({ browser }) => {
  test.skip(!process.env.PARLEY_E2E_API_KEY, 'needs the API key global-setup makes (not with PARLEY_E2E_URL)');
  const ann = await register(browser, 'Ann');

  // The product broadcasts to Ann while she is looking at her chats: it shows up at once, unread.
  const accepted = await admin<{ broadcastId: string; recipients: number }>('POST', '/broadcasts', {
    content: 'Maintenance tonight at 22:00.\nChats stay available.',
    userIds: [ann.id],
  });
  expect(accepted.recipients).toBe(1);
  const announcements = conversation(ann, 'Announcements');
  await expect(announcements).toBeVisible();
  await expect(announcements.getByTestId('unread-badge')).toHaveText('1');
  await expect(announcements).toContainText('Maintenance tonight at 22:00.');

  // Opened: the announcement in full, and no way to answer.
  await announcements.click();
  await expect(ann.page.getByTestId('chat-title')).toHaveText('Announcements');
  await expect(ann.page.getByTestId('message').filter({ hasText: 'Chats stay available.' })).toBeVisible();
  await expect(ann.page.getByTestId('read-only-note')).toBeVisible();
  await expect(ann.page.getByTestId('composer')).toHaveCount(0);
  await expect(announcements.getByTestId('unread-badge')).toHaveCount(0);

  // A shop's bot writes to her (no friendship needed): its conversation carries the bot badge.
  const bot = await admin<{ id: string }>('POST', '/users', { nickname: 'Shop', bot: true });
  await admin('POST', '/messages', { senderId: bot.id, to: { userId: ann.id }, clientMsgId: 'order-1', type: 'text', content: 'Your order has shipped' });
  const shop = conversation(ann, 'Shop');
  await expect(shop).toContainText('Your order has shipped');
  await expect(shop.getByTestId('bot-badge')).toBeVisible();
  await shop.click();
  await expect(ann.page.getByTestId('chat-title').getByTestId('bot-badge')).toBeVisible();
  await ann.context.close();
});
