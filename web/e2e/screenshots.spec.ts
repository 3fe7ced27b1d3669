// Screenshots of the main screens for docs/web-client.md: PARLEY_SCREENSHOTS=1 npx playwright test
// (needs a server with the conversation list, files and calls; the global setup starts the Release build).
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { befriend, conversation, expect, openChatWith, register, samplePng, sendText, test } from './helpers';

const dir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

async function shot(page: Page, name: string) {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('[data-testid="notice"] button').forEach((b) => b.click()));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: dir + name + '.png' });
}

test('screenshots of the main screens', async ({ browser }) => {
  test.setTimeout(180_000);
  const viewport = { width: 1100, height: 700 };

  const login = await browser.newContext({ baseURL: process.env.PARLEY_E2E_URL, viewport: { width: 900, height: 640 } });
  const loginPage = await login.newPage();
  await loginPage.goto('/');
  await loginPage.getByTestId('mode-register').click();
  await loginPage.getByLabel('Phone number or e-mail').fill('ann@example.com');
  await loginPage.getByLabel('Nickname').fill('Ann');
  await shot(loginPage, 'login');
  await login.close();

  const ann = await register(browser, 'Ann', { viewport });
  const ben = await register(browser, 'Ben', { viewport });
  const cal = await register(browser, 'Cal', { viewport });
  await befriend(ann, ben);
  await befriend(ann, cal);
  await befriend(ben, cal);

  await openChatWith(ben, ann);
  await sendText(ben, 'Morning! Did you see the photos from Saturday?');
  await openChatWith(cal, ann);
  await sendText(cal, 'Lunch at 1?');
  await sendText(cal, '👍');

  await ann.page.getByTestId('tab-chats').click();
  await conversation(ann, 'Ben').click();
  await sendText(ann, 'Not yet, send them over!');
  await ben.page.getByTestId('attach').setInputFiles({ name: 'saturday.png', mimeType: 'image/png', buffer: await samplePng(ben.page) });
  await expect(ann.page.locator('[data-testid="message"][data-type="image"] img')).toBeVisible();
  await sendText(ben, 'Here is one, more tonight 🙂');
  await expect(ann.page.getByTestId('message').filter({ hasText: 'more tonight' })).toBeVisible();
  await sendText(ann, 'Lovely, thanks!');
  await expect(ann.page.getByTestId('msg-status').last()).toContainText('Read');
  await shot(ann.page, 'chat');

  // The list with an unread conversation (Cal's), pinned and online states.
  await ann.page.getByTestId('tab-chats').click();
  await ann.page.getByTestId('tab-contacts').click();
  await ann.page.getByRole('button', { name: 'New group' }).click();
  const form = ann.page.getByTestId('create-group');
  await form.getByLabel('Group name').fill('Weekend plans');
  await form.getByLabel('Ben').check();
  await form.getByLabel('Cal').check();
  await form.getByRole('button', { name: 'Create group' }).click();
  await expect(ann.page.getByTestId('chat-title')).toHaveText('Weekend plans');
  await sendText(ann, 'Picnic on Saturday? Bring something to share.');
  await ben.page.getByTestId('tab-chats').click();
  await conversation(ben, 'Weekend plans').click();
  await sendText(ben, 'I will bring lemonade');
  await cal.page.getByTestId('tab-chats').click();
  await conversation(cal, 'Weekend plans').click();
  await sendText(cal, 'Count me in!');
  await expect(ann.page.getByTestId('message').filter({ hasText: 'Count me in!' })).toBeVisible();
  await ann.page.getByTestId('group-info-toggle').click();
  await expect(ann.page.getByTestId('group-member')).toHaveCount(3);
  await shot(ann.page, 'group');

  await ann.page.getByTestId('group-info-toggle').click();
  await ann.page.getByRole('button', { name: 'Pin to top' }).click();
  await expect(conversation(ann, 'Weekend plans').getByRole('img', { name: 'Pinned' })).toBeVisible();
  await conversation(ann, 'Ben').click();
  await sendText(cal, 'See you there');
  await expect(conversation(ann, 'Weekend plans').getByTestId('unread-badge')).toBeVisible();
  await shot(ann.page, 'conversations');

  // A phone-sized window: one pane at a time.
  const phone = await browser.newContext({ baseURL: process.env.PARLEY_E2E_URL, viewport: { width: 390, height: 760 }, storageState: await ann.context.storageState() });
  const phonePage = await phone.newPage();
  await phonePage.goto('/');
  await expect(phonePage.getByTestId('conversation').first()).toBeVisible();
  await shot(phonePage, 'phone-list');
  await phonePage.getByTestId('conversation').filter({ hasText: 'Ben' }).click();
  await expect(phonePage.locator('[data-testid="message"][data-type="image"] img')).toBeVisible();
  await shot(phonePage, 'phone-chat');
  await phone.close();

  // A video call, connected.
  await conversation(ann, 'Ben').click();
  await ann.page.getByRole('button', { name: 'Video call' }).click();
  await ben.page.getByTestId('call').getByRole('button', { name: 'Accept' }).click();
  await expect(ann.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  await expect.poll(() => ann.page.getByTestId('remote-video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await ann.page.waitForTimeout(1500); // let a few frames of the fake camera through
  await shot(ann.page, 'call');
  await ann.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(ann.page.getByTestId('call-record')).toBeVisible();

  for (const p of [ann, ben, cal]) await p.context.close();
});
