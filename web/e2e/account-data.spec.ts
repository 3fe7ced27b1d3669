import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { befriend, expect, openChatWith, register, sendText, test, uniquePhone } from './helpers';

/** The newest code the server "e-mailed" (logged, with no SMTP configured) to the address, whose subject contains <paramref name="subject"/>. */
async function codeSentTo(address: string, subject: string): Promise<string> {
  let code = '';
  await expect
    .poll(() => {
      const lines = readFileSync(process.env.PARLEY_E2E_LOG!, 'utf8').split('\n').filter((l) => l.includes(`e-mail to ${address} not sent`) && l.includes(subject));
      code = /verification code is (\d{6})/.exec(lines.at(-1) ?? '')?.[1] ?? '';
      return code;
    })
    .not.toBe('');
  return code;
}

/** Signs up with an e-mail address (and a phone), through the API from the page, with the logged code. */
async function registerWithEmail(page: Page, email: string, password: string) {
  await page.goto('/');
  await page.evaluate((email) => fetch('/api/v1/auth/verification-codes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email }) }), email);
  const code = await codeSentTo(email, 'Your Parley code');
  const status = await page.evaluate(
    (body) => fetch('/api/v1/auth/register', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status),
    { email, phone: uniquePhone(), password, nickname: 'Forgetful', code },
  );
  expect(status).toBe(201);
}

test('forgot password: a code e-mailed to the account sets a new password, and the old one no longer works', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: process.env.PARLEY_E2E_URL });
  const page = await context.newPage();
  const email = `e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.test`;
  await registerWithEmail(page, email, 'old password 1');

  await page.getByTestId('forgot-password').click();
  await page.getByLabel('Phone, e-mail or username').fill(email);
  await page.getByRole('button', { name: 'E-mail me a code' }).click();
  await expect(page.getByRole('status')).toContainText('a code is on its way');
  await page.getByLabel('Code from the e-mail').fill(await codeSentTo(email, 'password reset'));
  await page.getByLabel('New password', { exact: true }).fill('new password 2');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password is changed');

  await page.getByLabel('Phone, e-mail or username').fill(email);
  await page.getByLabel('Password').fill('old password 1');
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await expect(page.getByTestId('auth-error')).toBeVisible();
  await page.getByLabel('Password').fill('new password 2');
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await expect(page.getByTestId('tab-chats')).toBeVisible();
  await context.close();
});

test('download my data, then delete my account: signed out, and the password no longer signs in', async ({ browser }) => {
  const jo = await register(browser, 'Jo');
  await jo.page.getByTestId('tab-profile').click();
  const [download] = await Promise.all([jo.page.waitForEvent('download'), jo.page.getByTestId('download-data').click()]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported.profile.id).toBe(jo.id);
  expect(exported.profile.nickname).toBe('Jo');
  expect(Array.isArray(exported.conversations)).toBe(true);

  await jo.page.getByText('Delete my account').click();
  await jo.page.getByLabel('Password to confirm').fill('correct horse 1');
  jo.page.once('dialog', (dialog) => void dialog.accept());
  await jo.page.getByRole('button', { name: 'Delete account' }).click();
  await expect(jo.page.getByRole('button', { name: 'Sign in', exact: true }).last()).toBeVisible();
  const status = await jo.page.evaluate(
    (phone) => fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: phone, password: 'correct horse 1' }) }).then((r) => r.status),
    jo.phone,
  );
  expect(status).toBe(401);
  await jo.context.close();
});

test('disappearing messages: one party turns them on, both see the notice, and new messages carry an expiry', async ({ browser }) => {
  const ann = await register(browser, 'Ann');
  const ben = await register(browser, 'Ben');
  await befriend(ann, ben);
  await openChatWith(ann, ben);
  await sendText(ann, 'before the timer');

  await ann.page.getByTestId('ttl-select').selectOption('3600');
  await expect(ann.page.getByTestId('ttl-notice')).toContainText('1 hour');
  await ben.page.getByTestId('tab-chats').click();
  await ben.page.getByTestId('conversation').filter({ hasText: 'Ann' }).click();
  await expect(ben.page.getByTestId('ttl-notice')).toContainText('1 hour');

  await sendText(ann, 'this one disappears');
  const messages = await ben.page.evaluate(async () => {
    const token = JSON.parse(localStorage.getItem('parley.session')!).accessToken as string;
    const list = await fetch('/api/v1/conversations', { headers: { Authorization: 'Bearer ' + token } }).then((r) => r.json());
    const id = list.conversations[0].id as string;
    return fetch(`/api/v1/conversations/${id}/messages`, { headers: { Authorization: 'Bearer ' + token } }).then((r) => r.json());
  });
  expect(messages.find((m: { content: string }) => m.content === 'this one disappears').expiresAt).toBeTruthy();
  expect(messages.find((m: { content: string }) => m.content === 'before the timer').expiresAt).toBeUndefined();

  // Turned off by the other party: the notice goes for both.
  await ben.page.getByTestId('ttl-select').selectOption('');
  await expect(ben.page.getByTestId('ttl-notice')).toHaveCount(0);
  await expect(ann.page.getByTestId('ttl-notice')).toHaveCount(0);
  await ann.context.close();
  await ben.context.close();
});
