import { expect, test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const test = base.extend<{ baseURL: string }>({
  baseURL: async ({}, use) => use(process.env.PARLEY_E2E_URL!), // eslint-disable-line no-empty-pattern
});
export { expect };

export interface Person {
  context: BrowserContext;
  page: Page;
  nickname: string;
  phone: string;
  id: string;
}

let counter = 0;

export function uniquePhone(): string {
  counter++;
  const n = (Date.now() % 1_000_000) * 100 + (process.pid % 10) * 10 + (counter % 10);
  return '+86139' + String(n).padStart(8, '0').slice(-8);
}

/** A person in their own browser context, registered through the sign-up form (by phone: no code needed). */
export async function register(browser: Browser, nickname: string, options: { viewport?: { width: number; height: number } } = {}): Promise<Person> {
  const context = await browser.newContext({ baseURL: process.env.PARLEY_E2E_URL, viewport: options.viewport });
  const page = await context.newPage();
  const phone = uniquePhone();
  await page.goto('/');
  await page.getByTestId('mode-register').click();
  await page.getByLabel('Phone number or e-mail').fill(phone);
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Password').fill('correct horse 1');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('tab-chats')).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveCount(0); // the socket is up
  const id = await page.evaluate(() => JSON.parse(localStorage.getItem('parley.session')!).user.id as string);
  return { context, page, nickname, phone, id };
}

/** A finds B by phone number and asks; B accepts under Contacts. Both then see each other among friends. */
export async function befriend(a: Person, b: Person) {
  await a.page.getByTestId('tab-contacts').click();
  await a.page.getByTestId('people-search').fill(b.phone);
  await a.page.getByRole('button', { name: 'Search', exact: true }).click();
  await a.page.getByRole('button', { name: `Add ${b.nickname} as a friend` }).click();
  await expect(a.page.getByText('Request sent')).toBeVisible();

  await b.page.getByTestId('tab-chats').click();
  await b.page.getByTestId('tab-contacts').click(); // (re)loads the requests
  const request = b.page.getByTestId('friend-request').filter({ hasText: a.nickname });
  await expect(request).toBeVisible();
  await request.getByRole('button', { name: 'Accept' }).click();
  await expect(b.page.getByTestId('friend').filter({ hasText: a.nickname })).toBeVisible();

  await a.page.getByTestId('tab-chats').click();
  await a.page.getByTestId('tab-contacts').click();
  await expect(a.page.getByTestId('friend').filter({ hasText: b.nickname })).toBeVisible();
}

/** Opens the chat with a friend from Contacts. */
export async function openChatWith(p: Person, friend: Person) {
  await p.page.getByTestId('tab-contacts').click();
  await p.page.getByRole('button', { name: `Message ${friend.nickname}` }).click();
  await expect(p.page.getByTestId('chat-title')).toHaveText(friend.nickname);
}

export async function sendText(p: Person, text: string) {
  await p.page.getByTestId('composer').fill(text);
  await p.page.getByTestId('send').click();
  await expect(p.page.getByTestId('message').filter({ hasText: text })).toBeVisible();
}

export function conversation(p: Person, title: string) {
  return p.page.getByTestId('conversation').filter({ has: p.page.locator(`.conv-title`, { hasText: title }) });
}

/** A small PNG (a 64×48 gradient) drawn in the page, as a file for the attach input. */
export async function samplePng(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const g = c.getContext('2d')!;
    const grad = g.createLinearGradient(0, 0, 64, 48);
    grad.addColorStop(0, '#2563eb');
    grad.addColorStop(1, '#f59e0b');
    g.fillStyle = grad;
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#fff';
    g.font = 'bold 20px sans-serif';
    g.fillText('Hi', 20, 32);
    return c.toDataURL('image/png').split(',')[1];
  });
  return Buffer.from(base64, 'base64');
}

/**
 * How the page's last call ended, in the words its "Call ended" notice shows. The notice itself goes 2.5 s after the
 * end, which a busy machine can miss between two looks; the page keeps this until the next call ends.
 */
export async function expectCallEnded(page: Page, text: string | RegExp, timeout = 30_000) {
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { parleyCall: () => { lastEnded: { text: string } | null } }).parleyCall().lastEnded?.text ?? ''), { timeout })
    .toMatch(text);
}
