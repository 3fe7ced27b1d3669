import { expect, register, samplePng, test } from './helpers';

test('the session survives reloads; a bad or expired access token is replaced by refreshing; the profile and avatar change; signing out ends it', async ({ browser }) => {
  const jo = await register(browser, 'Jo');
  const session = () => jo.page.evaluate(() => JSON.parse(localStorage.getItem('parley.session') ?? 'null') as { accessToken: string; refreshToken: string; expiresAt: string } | null);

  await jo.page.reload();
  await expect(jo.page.getByTestId('tab-chats')).toBeVisible();
  await expect(jo.page.getByTestId('connection-status')).toHaveCount(0);

  // An access token the server refuses (401 on the API, a failed WebSocket handshake): refreshed, then all works.
  const before = await session();
  await jo.page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('parley.session')!);
    s.accessToken = 'not-a-token';
    localStorage.setItem('parley.session', JSON.stringify(s));
  });
  await jo.page.reload();
  await expect(jo.page.getByTestId('connection-status')).toHaveCount(0, { timeout: 20_000 });
  await jo.page.getByTestId('tab-profile').click();
  await expect(jo.page.getByLabel('Nickname')).toHaveValue('Jo');
  const after = await session();
  expect(after!.refreshToken).not.toBe(before!.refreshToken);

  // An access token past its expiry time: refreshed before use.
  await jo.page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('parley.session')!);
    s.expiresAt = new Date(Date.now() - 1000).toISOString();
    localStorage.setItem('parley.session', JSON.stringify(s));
  });
  await jo.page.reload();
  await expect(jo.page.getByTestId('connection-status')).toHaveCount(0, { timeout: 20_000 });
  expect(Date.parse((await session())!.expiresAt)).toBeGreaterThan(Date.now());

  // Profile: a new nickname and an avatar picture (shrunk into the profile itself).
  await jo.page.getByTestId('tab-profile').click();
  await jo.page.getByLabel('Nickname').fill('Jo Q');
  await jo.page.getByLabel('Avatar picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await samplePng(jo.page) });
  await expect(jo.page.locator('.profile-head .avatar img')).toBeVisible();
  await jo.page.getByRole('button', { name: 'Save profile' }).click();
  await expect(jo.page.getByText('Saved.')).toBeVisible();
  const me = await jo.page.evaluate(() => fetch('/api/v1/users/me', { headers: { Authorization: 'Bearer ' + JSON.parse(localStorage.getItem('parley.session')!).accessToken } }).then((r) => r.json()));
  expect(me.nickname).toBe('Jo Q');
  expect(me.avatar).toMatch(/^data:image\/(webp|jpeg);base64,/);

  // Signing out ends the session: the old refresh token no longer works.
  const last = await session();
  await jo.page.getByTestId('tab-profile').click();
  await jo.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(jo.page.getByRole('button', { name: 'Sign in', exact: true }).last()).toBeVisible();
  const refused = await jo.page.evaluate(
    (token) => fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: token }) }).then((r) => r.status),
    last!.refreshToken,
  );
  expect(refused).toBe(401);

  // And signing in again works, with words for a wrong password.
  await jo.page.getByLabel('Phone, e-mail or username').fill(jo.phone);
  await jo.page.getByLabel('Password').fill('wrong password');
  await jo.page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await expect(jo.page.getByTestId('auth-error')).toHaveText('The login or password is wrong.');
  await jo.page.getByLabel('Password').fill('correct horse 1');
  await jo.page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await expect(jo.page.getByTestId('tab-chats')).toBeVisible();
  await jo.context.close();
});
