import { befriend, conversation, expect, openChatWith, register, samplePng, sendText, test } from './helpers';

test('forwarding: one message to a group and a friend at once, shown as Forwarded; several selected and forwarded merged, shown as a chat history that expands', async ({ browser }) => {
  const ann = await register(browser, 'Ann');
  const ben = await register(browser, 'Ben');
  const cal = await register(browser, 'Cal');
  await befriend(ann, ben);
  await befriend(ann, cal);

  // Ann has a chat with Cal, and a group with both.
  await openChatWith(ann, cal);
  await sendText(ann, 'Hi Cal');
  await ann.page.getByTestId('tab-contacts').click();
  await ann.page.getByRole('button', { name: 'New group' }).click();
  const form = ann.page.getByTestId('create-group');
  await form.getByLabel('Group name').fill('Book club');
  await form.getByLabel('Ben').check();
  await form.getByLabel('Cal').check();
  await form.getByRole('button', { name: 'Create group' }).click();
  await expect(ann.page.getByTestId('chat-title')).toHaveText('Book club');

  // Ann and Ben talk.
  await openChatWith(ann, ben);
  await sendText(ann, 'Did you finish the book?');
  await ben.page.getByTestId('tab-chats').click();
  await conversation(ben, 'Ann').click();
  await sendText(ben, 'Chapter 3 is the best part');
  const chapter = ann.page.getByTestId('message').filter({ hasText: 'Chapter 3 is the best part' });
  await expect(chapter).toBeVisible();
  await ben.page.getByTestId('attach').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: await samplePng(ben.page) });
  const cover = ann.page.locator('[data-testid="message"][data-type="image"]');
  await expect(cover.locator('img')).toBeVisible();

  // One message, forwarded to the group and to Cal in one go.
  await chapter.hover();
  await chapter.getByRole('button', { name: 'Forward', exact: true }).click();
  const dialog = ann.page.getByRole('dialog', { name: 'Forward to' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Book club').check();
  await dialog.getByLabel('Cal').check();
  await dialog.getByRole('button', { name: 'Forward to 2 chats' }).click();
  await expect(dialog).toHaveCount(0);

  await cal.page.getByTestId('tab-chats').click();
  await conversation(cal, 'Book club').click();
  const inGroup = cal.page.getByTestId('message').filter({ hasText: 'Chapter 3 is the best part' });
  await expect(inGroup).toBeVisible();
  await expect(inGroup.getByTestId('forwarded-label')).toHaveText('Forwarded');
  await conversation(cal, 'Ann').click();
  const direct = cal.page.getByTestId('message').filter({ hasText: 'Chapter 3 is the best part' });
  await expect(direct.getByTestId('forwarded-label')).toBeVisible();
  // Ann's own copy is in the group she forwarded to, marked too.
  await conversation(ann, 'Book club').click();
  await expect(ann.page.getByTestId('message').filter({ hasText: 'Chapter 3 is the best part' }).getByTestId('forwarded-label')).toBeVisible();

  // Several messages: select them, forward them merged into one.
  await conversation(ann, 'Ben').click();
  await ann.page.getByTestId('composer').fill('a draft that waits');
  const question = ann.page.getByTestId('message').filter({ hasText: 'Did you finish the book?' });
  await question.hover();
  await question.getByRole('button', { name: 'Select messages to forward' }).click();
  await expect(ann.page.getByTestId('selection-bar')).toContainText('1 message selected');
  await ann.page.getByTestId('message').filter({ hasText: 'Chapter 3 is the best part' }).getByTestId('select-message').check();
  await cover.getByTestId('select-message').check();
  await expect(ann.page.getByTestId('selection-bar')).toContainText('3 messages selected');
  await ann.page.getByRole('button', { name: 'Forward selected messages' }).click();
  const merged = ann.page.getByTestId('forward-dialog');
  await merged.getByLabel('Book club').check();
  await merged.getByRole('button', { name: 'Forward', exact: true }).click();
  await expect(merged).toHaveCount(0);
  await expect(ann.page.getByTestId('selection-bar')).toHaveCount(0);
  await expect(ann.page.getByTestId('composer')).toBeVisible();
  await expect(ann.page.getByTestId('composer')).toHaveValue('a draft that waits');

  await conversation(cal, 'Book club').click();
  const history = cal.page.getByTestId('message').filter({ has: cal.page.getByTestId('merged-forward') });
  await expect(history).toBeVisible();
  await expect(history).toContainText('Chat history of Ann and Ben');
  await expect(history).toContainText('Ann: Did you finish the book?');
  await expect(history.getByTestId('merged-forward-item')).toHaveCount(0);
  await history.getByRole('button', { name: 'Show 3 messages' }).click();
  await expect(history.getByTestId('merged-forward-item')).toHaveCount(3);
  await expect(history.getByTestId('merged-forward-item').nth(1)).toContainText('Ben');
  await expect(history.getByTestId('merged-forward-item').nth(1)).toContainText('Chapter 3 is the best part');
  // The picture came from a chat Cal is not in: the forward lets him load it.
  const picture = history.getByTestId('merged-forward-item').nth(2).locator('img');
  await expect(picture).toBeVisible();
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);
  await history.getByRole('button', { name: 'Hide messages' }).click();
  await expect(history.getByTestId('merged-forward-item')).toHaveCount(0);
  await expect(conversation(cal, 'Book club')).toContainText('Chat history of Ann and Ben');

  for (const p of [ann, ben, cal]) await p.context.close();
});
