import { befriend, expect, openChatWith, register, samplePng, sendText, test, type Person } from './helpers';

// The page is served with a strict Content-Security-Policy (only this server's scripts, styles and connections;
// docs/security.md). The built client must run under it without a single violation: sign-in, the socket, chat,
// pictures (blob: previews and server files).

async function watchPolicy(p: Person): Promise<string[]> {
  const violations: string[] = [];
  p.page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) violations.push(m.text());
  });
  await p.context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await p.page.reload();
  const policy = (await page!.allHeaders())['content-security-policy'] ?? '';
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toContain('unsafe');
  await expect(p.page.getByTestId('tab-chats')).toBeVisible();
  await expect(p.page.getByTestId('connection-status')).toHaveCount(0); // the socket is up again
  return violations;
}

test('the web client runs under its Content-Security-Policy with no violation', async ({ browser }) => {
  const ana = await register(browser, 'Ana');
  const ben = await register(browser, 'Ben');
  await befriend(ana, ben);
  const anaViolations = await watchPolicy(ana);
  const benViolations = await watchPolicy(ben);

  await openChatWith(ana, ben);
  await sendText(ana, 'Under policy');
  await ben.page.getByTestId('tab-chats').click();
  await ben.page.getByTestId('conversation').filter({ hasText: 'Ana' }).click();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'Under policy' })).toBeVisible();

  const png = await samplePng(ana.page);
  await ana.page.getByTestId('attach').setInputFiles({ name: 'policy.png', mimeType: 'image/png', buffer: png });
  const benImage = ben.page.locator('[data-testid="message"][data-type="image"] img');
  await expect.poll(() => benImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);

  expect(anaViolations).toEqual([]);
  expect(benViolations).toEqual([]);
});
