import { befriend, expect, register, samplePng, test, type Person } from './helpers';

// An avatar or a group icon is any string its owner chose; the web client loads only this server's own files
// and small data: images, so nobody can put a tracking pixel in front of their friends (components/Avatar.tsx).

async function call(p: Person, method: string, path: string, body: unknown) {
  return p.page.evaluate(
    async ({ method, path, body }) => {
      const token = JSON.parse(localStorage.getItem('parley.session')!).accessToken as string;
      const r = await fetch('/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    { method, path, body },
  );
}

test('avatars and group icons from elsewhere are shown as initials and never fetched; data: pictures and server files are shown', async ({ browser }) => {
  const ana = await register(browser, 'Ana');
  const ben = await register(browser, 'Ben');
  const elsewhere: string[] = [];
  ben.page.on('request', (r) => !r.url().startsWith(process.env.PARLEY_E2E_URL!) && !r.url().startsWith('data:') && elsewhere.push(r.url()));

  await call(ana, 'PATCH', '/users/me', { avatar: 'https://tracker.example/pixel.png?who=ana' });
  await befriend(ana, ben);
  const friend = ben.page.getByTestId('friend').filter({ hasText: 'Ana' });
  await expect(friend.getByTestId('avatar')).toHaveText('A');
  await expect(friend.locator('img')).toHaveCount(0);

  // A group whose icon points elsewhere (a protocol-relative URL, which a naive "starts with /" check would pass).
  await call(ana, 'POST', '/groups', { name: 'Pixels', icon: '//tracker.example/api/v1/files/1', memberIds: [ben.id] });
  await ben.page.getByTestId('tab-chats').click();
  const group = ben.page.getByTestId('conversation').filter({ hasText: 'Pixels' });
  await expect(group.getByTestId('avatar')).toHaveText('P');
  await expect(group.locator('img')).toHaveCount(0);

  // A small data: picture (what the profile form makes) is shown.
  const small = await ana.page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = c.height = 8;
    const g = c.getContext('2d')!;
    g.fillStyle = '#16a34a';
    g.fillRect(0, 0, 8, 8);
    return c.toDataURL('image/png');
  });
  await call(ana, 'PATCH', '/users/me', { avatar: small });
  await ben.page.reload();
  await ben.page.getByTestId('tab-contacts').click();
  await expect(friend.locator('img')).toHaveAttribute('src', /^data:image\/png;base64,/);

  // A picture uploaded to this server is loaded from it (with the access token the files API needs; whether Ben may
  // read Ana's file is the server's business).
  const upload = await ana.page.evaluate(async (b64) => {
    const token = JSON.parse(localStorage.getItem('parley.session')!).accessToken as string;
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/png' }), 'icon.png');
    const r = await fetch('/api/v1/files', { method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: form });
    return (await r.json()) as { url: string };
  }, (await samplePng(ana.page)).toString('base64'));
  expect(upload.url).toMatch(/^\/api\/v1\/files\//);
  await call(ana, 'PATCH', '/users/me', { avatar: upload.url });
  await ben.page.reload();
  await ben.page.getByTestId('tab-contacts').click();
  await expect(friend.locator('img')).toHaveAttribute('src', new RegExp('^/api/v1/files/.*access_token='));

  expect(elsewhere).toEqual([]);
  for (const p of [ana, ben]) await p.context.close();
});
