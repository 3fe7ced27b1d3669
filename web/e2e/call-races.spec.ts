import type { Page } from '@playwright/test';
import { befriend, expect, openChatWith, register, test, expectCallEnded } from './helpers';

/**
 * Holds getUserMedia (the browser's camera prompt, in effect) until release() is called, and keeps every stream it
 * handed out, so a test can check that the camera went off again.
 */
async function holdCameraPrompt(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { held: Array<() => void>; streams: MediaStream[] };
    w.held = [];
    w.streams = [];
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    let holding = true;
    navigator.mediaDevices.getUserMedia = (constraints) =>
      !holding
        ? real(constraints)
        : new Promise((resolve, reject) =>
        w.held.push(() =>
          real(constraints).then((s) => {
            w.streams.push(s);
            resolve(s);
          }, reject),
        ),
      );
    (window as unknown as { stopHolding: () => void }).stopHolding = () => (holding = false);
  });
  return {
    waitingForPrompt: () => expect.poll(() => page.evaluate(() => (window as unknown as { held: unknown[] }).held.length)).toBeGreaterThan(0),
    /** Lets the held requests (and all later ones) through. */
    release: () =>
      page.evaluate(() => {
        const w = window as unknown as { held: Array<() => void>; stopHolding: () => void };
        w.stopHolding();
        w.held.splice(0).forEach((go) => go());
      }),
    cameraOff: () =>
      expect
        .poll(() => page.evaluate(() => (window as unknown as { streams: MediaStream[] }).streams.map((s) => s.getTracks().map((t) => t.readyState).join(',')).join(';')), { timeout: 10_000 })
        .toMatch(/^ended(,ended)*$/),
  };
}

function framesSent(page: Page): string[] {
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && sent.push(f.payload)));
  return sent;
}

test('hanging up while the camera prompt is open sends no invite and turns the camera off again', async ({ browser }) => {
  const hal = await register(browser, 'Hal');
  const ida = await register(browser, 'Ida');
  await befriend(hal, ida);
  await openChatWith(hal, ida);
  const sent = framesSent(hal.page);
  await hal.page.reload(); // the frame listener sees the new socket
  await expect(hal.page.getByTestId('connection-status')).toHaveCount(0);
  await openChatWith(hal, ida);

  const prompt = await holdCameraPrompt(hal.page);
  await hal.page.getByRole('button', { name: 'Video call' }).click();
  await prompt.waitingForPrompt();
  await hal.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(hal.page.getByTestId('call')).toHaveAttribute('data-phase', 'ended');
  await prompt.release();

  await prompt.cameraOff();
  // A ping's pong proves everything the page sent before it was handled: no invite among it, and Ida's phone never rang.
  await hal.page.evaluate(() => (window as unknown as { parleyRealtime: { request: (t: string) => Promise<unknown> } }).parleyRealtime.request('ping'));
  expect(sent.some((f) => f.includes('"ping"'))).toBe(true); // the page's frames are seen
  expect(sent.filter((f) => f.includes('"call.invite"'))).toEqual([]);
  await expect(ida.page.getByTestId('call')).toHaveCount(0);

  for (const p of [hal, ida]) await p.context.close();
});

test('two friends calling each other at once end up in one call, not in two busy ones', async ({ browser }) => {
  const jon = await register(browser, 'Jon');
  const kim = await register(browser, 'Kim');
  await befriend(jon, kim);
  await openChatWith(jon, kim);
  await openChatWith(kim, jon);

  // Jon presses "call" first, but his browser is still asking for the camera when Kim's call reaches him.
  const prompt = await holdCameraPrompt(jon.page);
  await jon.page.getByRole('button', { name: 'Voice call' }).click();
  await prompt.waitingForPrompt();
  await kim.page.getByRole('button', { name: 'Voice call' }).click();
  await expect(kim.page.getByTestId('call')).toHaveAttribute('data-phase', 'ringing');
  await prompt.release();

  // Jon sees Kim's call (his own invite would only have been busy) and takes it.
  const jonCall = jon.page.getByTestId('call');
  await expect(jonCall).toHaveAttribute('data-phase', 'incoming');
  await jonCall.getByRole('button', { name: 'Accept' }).click();
  for (const p of [jon, kim]) await expect(p.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  await kim.page.getByRole('button', { name: 'Hang up' }).click();
  await expectCallEnded(jon.page, /ended/i);

  for (const p of [jon, kim]) await p.context.close();
});
