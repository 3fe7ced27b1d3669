import { befriend, conversation, expect, openChatWith, register, samplePng, sendText, test } from './helpers';

test('two people become friends, chat both ways with text and an image, see unread badges and read state, and talk in a group with a third', async ({ browser }) => {
  const ann = await register(browser, 'Ann');
  const ben = await register(browser, 'Ben');
  await befriend(ann, ben);

  // Ann writes first: the conversation is made by her first message.
  await openChatWith(ann, ben);
  await sendText(ann, 'Hello Ben!');
  await sendText(ann, 'Are you there?');
  await expect(ann.page.getByTestId('msg-status').last()).toContainText('Sent');

  // Ben sees the conversation with two unread messages, and the preview of the last one.
  await ben.page.getByTestId('tab-chats').click();
  const toAnn = conversation(ben, 'Ann');
  await expect(toAnn).toBeVisible();
  await expect(toAnn.getByTestId('unread-badge')).toHaveText('2');
  await expect(toAnn).toContainText('Are you there?');

  // He opens it: the badge goes, and Ann sees her message read.
  await toAnn.click();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'Hello Ben!' })).toBeVisible();
  await expect(toAnn.getByTestId('unread-badge')).toHaveCount(0);
  await expect(ann.page.getByTestId('msg-status').last()).toContainText('Read');

  // Ben answers; Ann, who has the chat open, sees it at once.
  await sendText(ben, 'Hi Ann, yes!');
  await expect(ann.page.getByTestId('message').filter({ hasText: 'Hi Ann, yes!' })).toBeVisible();

  // Ann sends a picture; Ben sees it inline, loaded.
  const png = await samplePng(ann.page);
  await ann.page.getByTestId('attach').setInputFiles({ name: 'hello.png', mimeType: 'image/png', buffer: png });
  const annImage = ann.page.locator('[data-testid="message"][data-type="image"] img');
  await expect(annImage).toBeVisible();
  const benImage = ben.page.locator('[data-testid="message"][data-type="image"] img');
  await expect(benImage).toBeVisible();
  await expect.poll(() => benImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);

  // And Ben sends one back.
  await ben.page.getByTestId('attach').setInputFiles({ name: 'back.png', mimeType: 'image/png', buffer: png });
  await expect(ann.page.locator('[data-testid="message"][data-type="image"][data-mine="false"] img')).toBeVisible();

  // A third person, a group of three, and a message there that both others receive.
  const cal = await register(browser, 'Cal');
  await befriend(ann, cal);
  await ann.page.getByTestId('tab-contacts').click();
  await ann.page.getByRole('button', { name: 'New group' }).click();
  const form = ann.page.getByTestId('create-group');
  await form.getByLabel('Group name').fill('Weekend plans');
  await form.getByLabel('Ben').check();
  await form.getByLabel('Cal').check();
  await form.getByRole('button', { name: 'Create group' }).click();
  await expect(ann.page.getByTestId('chat-title')).toHaveText('Weekend plans');
  await sendText(ann, 'Picnic on Saturday?');

  for (const member of [ben, cal]) {
    await member.page.getByTestId('tab-chats').click();
    const group = conversation(member, 'Weekend plans');
    await expect(group).toBeVisible();
    await expect(group).toContainText('Picnic on Saturday?');
    await expect(group.getByTestId('unread-badge')).toBeVisible(); // the message, and the "created" notice before it
    await group.click();
    await expect(member.page.getByTestId('message').filter({ hasText: 'Picnic on Saturday?' })).toBeVisible();
  }
  await sendText(cal, 'Count me in');
  await expect(ann.page.getByTestId('message').filter({ hasText: 'Count me in' })).toBeVisible();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'Count me in' })).toBeVisible();

  // The group's members and roles.
  await ann.page.getByTestId('group-info-toggle').click();
  await expect(ann.page.getByTestId('group-member')).toHaveCount(3);
  await expect(ann.page.getByTestId('group-member').filter({ hasText: 'Ann' })).toContainText('Owner');

  for (const p of [ann, ben, cal]) await p.context.close();
});

test('a message sent while the socket is down is delivered once after reconnecting', async ({ browser }) => {
  const dee = await register(browser, 'Dee');
  const eve = await register(browser, 'Eve');
  await befriend(dee, eve);
  await openChatWith(dee, eve);
  await sendText(dee, 'first');

  await eve.page.getByTestId('tab-chats').click();
  await conversation(eve, 'Dee').click();
  await expect(eve.page.getByTestId('message').filter({ hasText: 'first' })).toBeVisible();

  // Eve goes offline; Dee sends meanwhile; Eve comes back and syncs.
  await eve.context.setOffline(true);
  await eve.page.evaluate(() => (window as unknown as { parleyRealtime: { drop(): void } }).parleyRealtime.drop());
  await expect(eve.page.getByTestId('connection-status')).toBeVisible();
  await sendText(dee, 'while you were away');
  await eve.context.setOffline(false);
  await expect(eve.page.getByTestId('message').filter({ hasText: 'while you were away' })).toHaveCount(1, { timeout: 40_000 });
  await expect(eve.page.getByTestId('message').filter({ hasText: 'first' })).toHaveCount(1);

  for (const p of [dee, eve]) await p.context.close();
});

test('typing shows on the other side; replies quote; recall is for both and delete for me only; voice messages and files arrive', async ({ browser }) => {
  const hal = await register(browser, 'Hal');
  const ivy = await register(browser, 'Ivy');
  await befriend(hal, ivy);
  await openChatWith(hal, ivy);
  await sendText(hal, 'Which train?');
  await ivy.page.getByTestId('tab-chats').click();
  await conversation(ivy, 'Hal').click();

  // Typing.
  await ivy.page.getByTestId('composer').fill('The 9:15');
  await expect(hal.page.getByTestId('typing')).toBeVisible();

  // A reply carries a quote of the message it answers.
  const question = ivy.page.getByTestId('message').filter({ hasText: 'Which train?' });
  await question.hover();
  await question.getByRole('button', { name: 'Reply' }).click();
  await expect(ivy.page.getByTestId('replying')).toContainText('Which train?');
  await ivy.page.getByTestId('send').click();
  const reply = hal.page.getByTestId('message').filter({ hasText: 'The 9:15' });
  await expect(reply).toBeVisible();
  await expect(reply.getByTestId('reply-quote')).toContainText('Which train?');
  await expect(hal.page.getByTestId('typing')).toHaveCount(0);

  // Recall: gone for both.
  await sendText(hal, 'Oops, wrong chat');
  const oops = hal.page.getByTestId('message').filter({ hasText: 'Oops, wrong chat' });
  await expect(ivy.page.getByTestId('message').filter({ hasText: 'Oops, wrong chat' })).toBeVisible();
  await oops.hover();
  await oops.getByRole('button', { name: 'Recall' }).click();
  await expect(hal.page.getByTestId('recalled')).toHaveCount(1);
  await expect(ivy.page.getByTestId('recalled')).toHaveCount(1);
  await expect(ivy.page.getByTestId('messages').getByText('Oops, wrong chat')).toHaveCount(0);
  await expect(conversation(ivy, 'Hal')).not.toContainText('Oops');

  // Delete for me: gone here, still there for the other.
  hal.page.once('dialog', (d) => void d.accept());
  const first = hal.page.getByTestId('message').filter({ hasText: 'Which train?' }).filter({ hasNotText: '9:15' });
  await first.hover();
  await first.getByRole('button', { name: 'Delete' }).click();
  await expect(hal.page.getByTestId('message').filter({ hasText: 'Which train?' }).filter({ hasNotText: '9:15' })).toHaveCount(0);
  await hal.page.reload();
  await conversation(hal, 'Ivy').click();
  await expect(hal.page.getByTestId('message').filter({ hasText: 'The 9:15' })).toBeVisible();
  await expect(hal.page.getByTestId('message').filter({ hasText: 'Which train?' }).filter({ hasNotText: '9:15' })).toHaveCount(0);
  await expect(ivy.page.getByTestId('message').filter({ hasText: 'Which train?' }).filter({ hasNotText: '9:15' })).toHaveCount(1);

  // A voice message (Chromium's fake microphone) and a file, both arriving playable / downloadable.
  await hal.page.getByRole('button', { name: 'Record a voice message' }).click();
  await expect(hal.page.getByRole('button', { name: 'Stop and send voice message' })).toBeVisible();
  await hal.page.waitForTimeout(1200); // a second of sound
  await hal.page.getByRole('button', { name: 'Stop and send voice message' }).click();
  const voice = ivy.page.locator('[data-testid="message"][data-type="voice"] audio');
  await expect(voice).toHaveCount(1);
  await expect.poll(() => voice.evaluate((a: HTMLAudioElement) => fetch(a.src).then((r) => r.status))).toBe(200);
  await hal.page.getByTestId('attach').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('bring tickets\n') });
  const file = ivy.page.locator('[data-testid="message"][data-type="file"] a');
  await expect(file).toContainText('notes.txt');
  expect(await file.evaluate((a: HTMLAnchorElement) => fetch(a.href).then((r) => r.text()))).toBe('bring tickets\n');

  for (const p of [hal, ivy]) await p.context.close();
});
