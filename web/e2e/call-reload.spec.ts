import type { Page } from '@playwright/test';
import { befriend, expect, openChatWith, register, test, type Person, expectCallEnded } from './helpers';

// A page reload (or a socket reconnect) in the middle of a call: the page learns of the call from the server
// (`call.state`), takes it over (`call.resume`) and both sides make a new peer connection (docs/calls.md).

async function remoteVideoPlays(page: Page) {
  const video = page.getByTestId('remote-video');
  await expect(video).toBeVisible();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 30_000 }).toBeGreaterThan(0);
  const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(t0);
}

const peerConnection = (page: Page) => page.evaluate(() => (window as unknown as { parleyCall: () => { pc?: string; callId?: string } }).parleyCall());

async function connectedVideoCall(caller: Person, callee: Person) {
  await openChatWith(caller, callee);
  await caller.page.getByRole('button', { name: 'Video call' }).click();
  const incoming = callee.page.getByTestId('call');
  await expect(incoming).toHaveAttribute('data-phase', 'incoming');
  await incoming.getByRole('button', { name: 'Accept' }).click();
  for (const p of [caller, callee]) await expect(p.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  await remoteVideoPlays(caller.page);
  await remoteVideoPlays(callee.page);
}

test('the callee reloads the page during a video call: the call comes back with video both ways, and hanging up ends it on both sides', async ({ browser }) => {
  const jo = await register(browser, 'Jo');
  const kit = await register(browser, 'Kit');
  await befriend(jo, kit);
  await connectedVideoCall(jo, kit);
  const callId = (await peerConnection(jo.page)).callId;
  expect(callId).toBeTruthy();

  await kit.page.reload();
  const back = kit.page.getByTestId('call');
  await expect(back).toBeVisible();
  for (const p of [jo, kit]) await expect(p.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  expect(await peerConnection(kit.page)).toMatchObject({ callId, pc: 'connected' });
  expect(await peerConnection(jo.page)).toMatchObject({ callId, pc: 'connected' });
  // A fresh peer connection on both sides: video flows again both ways.
  await remoteVideoPlays(kit.page);
  await remoteVideoPlays(jo.page);
  // The duration runs on from the accept, not from the reload.
  await expect(kit.page.getByTestId('call-status')).toHaveText(/^\d+:\d\d$/);

  await kit.page.getByRole('button', { name: 'Hang up' }).click();
  await expectCallEnded(jo.page, 'Call ended');
  await expect(jo.page.getByTestId('call-record')).toContainText('Video call', { timeout: 20_000 });
  await expect(jo.page.getByTestId('call-record')).not.toContainText(/dropped/i);
  for (const p of [jo, kit]) await p.context.close();
});

test('the caller reloads the page during a call, then hangs up from the reloaded page: the callee sees the call end at once', async ({ browser }) => {
  const lu = await register(browser, 'Lu');
  const max = await register(browser, 'Max');
  await befriend(lu, max);
  await connectedVideoCall(lu, max);

  await lu.page.reload();
  for (const p of [lu, max]) await expect(p.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  await remoteVideoPlays(max.page);
  await remoteVideoPlays(lu.page);

  await lu.page.getByRole('button', { name: 'Hang up' }).click();
  // A hang-up ("Call ended"), not a drop after the reconnect grace ("Call dropped"): the page knows at once why it ended.
  await expectCallEnded(max.page, /^Call ended$/);
  for (const p of [lu, max]) await p.context.close();
});

test('the caller reloads while the call still rings: it rings on, and connects when the callee accepts', async ({ browser }) => {
  const ned = await register(browser, 'Ned');
  const ola = await register(browser, 'Ola');
  await befriend(ned, ola);
  await openChatWith(ned, ola);
  await ned.page.getByRole('button', { name: 'Video call' }).click();
  await expect(ola.page.getByTestId('call')).toHaveAttribute('data-phase', 'incoming');
  await expect(ned.page.getByTestId('call-status')).toHaveText('Ringing…');

  await ned.page.reload();
  await expect(ned.page.getByTestId('call-status')).toHaveText('Ringing…');
  await ola.page.getByTestId('call').getByRole('button', { name: 'Accept' }).click();
  for (const p of [ned, ola]) await expect(p.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  await remoteVideoPlays(ola.page);
  await remoteVideoPlays(ned.page);

  await ola.page.getByRole('button', { name: 'Hang up' }).click();
  await expectCallEnded(ned.page, 'Call ended');
  for (const p of [ned, ola]) await p.context.close();
});

test('a dropped socket during a call reconnects without ending the call, and hanging up afterwards still works', async ({ browser }) => {
  const pia = await register(browser, 'Pia');
  const quy = await register(browser, 'Quy');
  await befriend(pia, quy);
  await connectedVideoCall(pia, quy);

  type Rt = { parleyRealtime: { drop: () => void; status: string } };
  // Read in the same evaluate as the drop: the reconnect starts 0.25-0.5 s later, which a busy machine can take
  // between two evaluates.
  const afterDrop = await quy.page.evaluate(() => {
    const rt = (window as unknown as Rt).parleyRealtime;
    rt.drop();
    return rt.status;
  });
  expect(afterDrop).toBe('offline');
  await expect.poll(() => quy.page.evaluate(() => (window as unknown as Rt).parleyRealtime.status), { timeout: 20_000 }).toBe('online');
  for (const p of [pia, quy]) await expect(p.page.getByTestId('call')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  await remoteVideoPlays(pia.page);
  await remoteVideoPlays(quy.page);

  await quy.page.getByRole('button', { name: 'Hang up' }).click();
  await expectCallEnded(pia.page, /^Call ended$/);
  for (const p of [pia, quy]) await p.context.close();
});
