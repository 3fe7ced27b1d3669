import type { Page } from '@playwright/test';
import { befriend, expect, openChatWith, register, test, expectCallEnded } from './helpers';

async function remoteVideoPlays(page: Page) {
  const video = page.getByTestId('remote-video');
  await expect(video).toBeVisible();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 30_000 }).toBeGreaterThan(0);
  const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(t0);
}

test('a video call between two friends connects with video both ways, hangs up, and leaves a call record on both sides', async ({ browser }) => {
  const fay = await register(browser, 'Fay');
  const gus = await register(browser, 'Gus');
  await befriend(fay, gus);
  await openChatWith(fay, gus);

  await fay.page.getByRole('button', { name: 'Video call' }).click();
  await expect(fay.page.getByTestId('call-status')).toHaveText(/Calling|Ringing/);

  const incoming = gus.page.getByTestId('call');
  await expect(incoming).toHaveAttribute('data-phase', 'incoming');
  await incoming.getByRole('button', { name: 'Accept' }).click();

  for (const p of [fay, gus]) await expect(p.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  expect(await fay.page.evaluate(() => (window as unknown as { parleyCall: () => { pc: string } }).parleyCall().pc)).toBe('connected');
  await remoteVideoPlays(fay.page);
  await remoteVideoPlays(gus.page);

  // Mute and camera toggles act on the local tracks.
  await fay.page.getByRole('button', { name: 'Mute' }).click();
  await expect(fay.page.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
  await fay.page.getByRole('button', { name: 'Camera off' }).click();
  await expect(fay.page.getByRole('button', { name: 'Camera on' })).toBeVisible();

  await fay.page.getByRole('button', { name: 'Hang up' }).click();
  await expectCallEnded(gus.page, /ended/i);

  // The call record is in the conversation on both sides.
  await expect(fay.page.getByTestId('call-record')).toContainText('Video call', { timeout: 20_000 });
  await gus.page.getByTestId('tab-chats').click();
  await gus.page.getByTestId('conversation').filter({ hasText: 'Fay' }).click();
  await expect(gus.page.getByTestId('call-record')).toContainText('Video call');

  for (const p of [fay, gus]) await p.context.close();
});
