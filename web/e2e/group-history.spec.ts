import { befriend, conversation, expect, register, sendText, test } from './helpers';

test('a group made without history for new members: someone invited later sees only what came after, the members before see everything', async ({ browser }) => {
  const ann = await register(browser, 'Ann');
  const ben = await register(browser, 'Ben');
  const cal = await register(browser, 'Cal');
  await befriend(ann, ben);
  await befriend(ann, cal);

  await ann.page.getByTestId('tab-contacts').click();
  await ann.page.getByRole('button', { name: 'New group' }).click();
  const form = ann.page.getByTestId('create-group');
  await form.getByLabel('Group name').fill('Secret club');
  await form.getByLabel('Ben').check();
  await expect(form.getByLabel('New members see earlier messages')).toBeChecked(); // the server's default
  await form.getByLabel('New members see earlier messages').uncheck();
  await form.getByRole('button', { name: 'Create group' }).click();
  await expect(ann.page.getByTestId('chat-title')).toHaveText('Secret club');
  await sendText(ann, 'before Cal came');

  // The setting shows in the group panel, and Cal is invited from there.
  await ann.page.getByTestId('group-info-toggle').click();
  await expect(ann.page.getByLabel('New members see earlier messages')).not.toBeChecked();
  await ann.page.getByRole('button', { name: 'Invite', exact: true }).first().click();
  await ann.page.getByRole('listitem').filter({ hasText: 'Cal' }).getByRole('button', { name: 'Invite' }).click();
  await expect(ann.page.getByTestId('group-member')).toHaveCount(3);
  await ann.page.getByTestId('group-info-toggle').click();
  await sendText(ann, 'after Cal came');

  await cal.page.getByTestId('tab-chats').click();
  await conversation(cal, 'Secret club').click();
  await expect(cal.page.getByTestId('message').filter({ hasText: 'after Cal came' })).toBeVisible();
  await expect(cal.page.getByTestId('message').filter({ hasText: 'before Cal came' })).toHaveCount(0);

  await ben.page.getByTestId('tab-chats').click();
  await conversation(ben, 'Secret club').click();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'after Cal came' })).toBeVisible();
  await expect(ben.page.getByTestId('message').filter({ hasText: 'before Cal came' })).toBeVisible();

  // The owner turns it back on from the panel; the server keeps it.
  await ann.page.getByTestId('group-info-toggle').click();
  await ann.page.getByLabel('New members see earlier messages').check();
  await expect(ann.page.getByLabel('New members see earlier messages')).toBeChecked();
  await expect
    .poll(() =>
      ann.page.evaluate(async () => {
        const token = JSON.parse(localStorage.getItem('parley.session')!).accessToken as string;
        const groups = await fetch('/api/v1/groups', { headers: { Authorization: 'Bearer ' + token } }).then((r) => r.json());
        return (groups as { name: string; historyForNewMembers: boolean }[]).find((g) => g.name === 'Secret club')?.historyForNewMembers;
      }),
    )
    .toBe(true);

  for (const p of [ann, ben, cal]) await p.context.close();
});
