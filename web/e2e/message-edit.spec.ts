import { befriend, conversation, expect, openChatWith, register, sendText, test } from './helpers';

test('editing: the sender edits from the message and with Up in an empty box; the other side and the sender\'s other device see the new text and "(edited)"; a refusal is shown', async ({ browser }) => {
  const ann = await register(browser, 'Ann');
  const ben = await register(browser, 'Ben');
  await befriend(ann, ben);
  await openChatWith(ann, ben);
  await sendText(ann, 'See you at 5');

  await ben.page.getByTestId('tab-chats').click();
  await conversation(ben, 'Ann').click();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'See you at 5' })).toBeVisible();

  // Ann's second device: another tab of the same session, with the chat open.
  const annTab = await ann.context.newPage();
  await annTab.goto('/');
  await conversation({ ...ann, page: annTab }, 'Ben').click();
  await expect(annTab.getByTestId('message').filter({ hasText: 'See you at 5' })).toBeVisible();

  // Edit from the message's actions: the words come into the box, Save replaces them for everyone.
  const first = ann.page.getByTestId('message').filter({ hasText: 'See you at 5' });
  await first.hover();
  await first.getByRole('button', { name: 'Edit' }).click();
  await expect(ann.page.getByTestId('editing')).toContainText('See you at 5');
  await expect(ann.page.getByTestId('composer')).toHaveValue('See you at 5');
  await ann.page.getByTestId('composer').fill('See you at 6');
  await ann.page.getByTestId('save-edit').click();
  await expect(ann.page.getByTestId('editing')).toHaveCount(0);
  await expect(ann.page.getByTestId('composer')).toHaveValue('');

  for (const page of [ann.page, ben.page, annTab]) {
    const edited = page.getByTestId('message').filter({ hasText: 'See you at 6' });
    await expect(edited).toBeVisible();
    await expect(edited.getByTestId('edited')).toHaveText('(edited)');
    await expect(page.getByTestId('messages').getByText('See you at 5')).toHaveCount(0);
  }
  await expect(conversation(ben, 'Ann')).toContainText('See you at 6');

  // Up in the empty box edits my last text message; Escape gives up and leaves it as it was.
  await sendText(ann, 'Lunch tomorrow');
  await expect(ben.page.getByTestId('message').filter({ hasText: 'Lunch tomorrow' })).toBeVisible();
  const composer = ann.page.getByTestId('composer');
  await composer.focus();
  await composer.press('ArrowUp');
  await expect(ann.page.getByTestId('editing')).toContainText('Lunch tomorrow');
  await expect(composer).toHaveValue('Lunch tomorrow');
  await composer.press('Escape');
  await expect(ann.page.getByTestId('editing')).toHaveCount(0);
  await expect(composer).toHaveValue('');
  await expect(ann.page.getByTestId('message').filter({ hasText: 'Lunch tomorrow' }).getByTestId('edited')).toHaveCount(0);

  await composer.press('ArrowUp');
  await expect(composer).toHaveValue('Lunch tomorrow');
  await composer.fill('Lunch on Friday');
  await composer.press('Enter');
  await expect(ann.page.getByTestId('editing')).toHaveCount(0);
  for (const page of [ben.page, annTab]) {
    const edited = page.getByTestId('message').filter({ hasText: 'Lunch on Friday' });
    await expect(edited.getByTestId('edited')).toBeVisible();
  }
  // Ben only sees Edit on nothing of Ann's: the action is the sender's.
  const bens = ben.page.getByTestId('message').filter({ hasText: 'Lunch on Friday' });
  await bens.hover();
  await expect(bens.getByRole('button', { name: 'Reply' })).toBeVisible();
  await expect(bens.getByRole('button', { name: 'Edit' })).toHaveCount(0);

  // The server refuses (here: the edit window has passed): the reason shows, the edit stays open, nothing changes.
  await ann.page.route('**/api/v1/conversations/*/messages/*', (route) =>
    route.request().method() === 'PATCH'
      ? route.fulfill({
          status: 409,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, code: 'edit_window_passed', detail: 'The edit window has passed.' }),
        })
      : route.continue(),
  );
  await composer.press('ArrowUp');
  await expect(composer).toHaveValue('Lunch on Friday');
  await composer.fill('Lunch never');
  await composer.press('Enter');
  await expect(ann.page.getByTestId('edit-error')).toContainText('too late to edit');
  await expect(ann.page.getByTestId('editing')).toBeVisible();
  await ann.page.getByRole('button', { name: 'Cancel editing' }).click();
  await expect(ann.page.getByTestId('message').filter({ hasText: 'Lunch on Friday' })).toBeVisible();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'Lunch never' })).toHaveCount(0);

  // Ben misses an edit while his socket is down: it shows once he is back (the open chat's newest page is fetched again).
  await ben.context.setOffline(true);
  await ben.page.evaluate(() => (window as unknown as { parleyRealtime: { drop(): void } }).parleyRealtime.drop());
  await expect(ben.page.getByTestId('connection-status')).toBeVisible();
  await ann.page.unroute('**/api/v1/conversations/*/messages/*');
  await composer.press('ArrowUp');
  await expect(composer).toHaveValue('Lunch on Friday');
  await composer.fill('Lunch on Saturday');
  await composer.press('Enter');
  await expect(ann.page.getByTestId('editing')).toHaveCount(0);
  await expect(annTab.getByTestId('message').filter({ hasText: 'Lunch on Saturday' })).toBeVisible();
  await ben.context.setOffline(false);
  await expect(ben.page.getByTestId('connection-status')).toHaveCount(0, { timeout: 40_000 });
  await expect(ben.page.getByTestId('message').filter({ hasText: 'Lunch on Saturday' }).getByTestId('edited')).toBeVisible();

  // After a reload the edit is still there (history carries editedAt).
  await ben.page.reload();
  await conversation(ben, 'Ann').click();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'See you at 6' }).getByTestId('edited')).toBeVisible();

  await ann.context.close();
  await ben.context.close();
});
