import { befriend, conversation, expect, openChatWith, register, sendText, test } from './helpers';

test('reactions: one reacts from the picker and the other sees the count; counts add up, mine is highlighted, and a click on mine takes it back', async ({ browser }) => {
  const ann = await register(browser, 'Ann');
  const ben = await register(browser, 'Ben');
  await befriend(ann, ben);
  await openChatWith(ann, ben);
  await sendText(ann, 'Dinner at 8?');
  await ben.page.getByTestId('tab-chats').click();
  await conversation(ben, 'Ann').click();

  // Ben reacts with 👍 from the picker.
  const bens = ben.page.getByTestId('message').filter({ hasText: 'Dinner at 8?' });
  await bens.hover();
  await bens.getByRole('button', { name: 'React', exact: true }).click();
  await bens.getByRole('group', { name: 'Pick a reaction' }).getByRole('button', { name: 'React with 👍' }).click();
  await expect(bens.getByTestId('reaction-picker')).toHaveCount(0);
  await expect(bens.getByRole('button', { name: '👍 1' })).toHaveAttribute('aria-pressed', 'true');

  // Ann sees it live, not as hers.
  const anns = ann.page.getByTestId('message').filter({ hasText: 'Dinner at 8?' });
  await expect(anns.getByRole('button', { name: '👍 1' })).toHaveAttribute('aria-pressed', 'false');

  // Ann adds hers by clicking the count: two, hers highlighted; Ben sees two.
  await anns.getByRole('button', { name: '👍 1' }).click();
  await expect(anns.getByRole('button', { name: '👍 2' })).toHaveAttribute('aria-pressed', 'true');
  await expect(bens.getByRole('button', { name: '👍 2' })).toHaveAttribute('aria-pressed', 'true');

  // Ben takes his back by clicking his highlighted reaction.
  await bens.getByRole('button', { name: '👍 2' }).click();
  await expect(bens.getByRole('button', { name: '👍 1' })).toHaveAttribute('aria-pressed', 'false');
  await expect(anns.getByRole('button', { name: '👍 1' })).toHaveAttribute('aria-pressed', 'true');

  // Ann adds ❤️ too; after a reload Ben sees both counts from history.
  await anns.hover();
  await anns.getByRole('button', { name: 'React', exact: true }).click();
  await anns.getByRole('button', { name: 'React with ❤️' }).click();
  await expect(bens.getByRole('button', { name: '❤️ 1' })).toBeVisible();
  await ben.page.reload();
  await conversation(ben, 'Ann').click();
  const reloaded = ben.page.getByTestId('message').filter({ hasText: 'Dinner at 8?' });
  await expect(reloaded.getByTestId('reaction')).toHaveCount(2);
  await expect(reloaded.getByRole('button', { name: '👍 1' })).toHaveAttribute('aria-pressed', 'false');
  await expect(reloaded.getByRole('button', { name: '❤️ 1' })).toBeVisible();

  // Ann takes both back: no reactions left on either side.
  await anns.getByRole('button', { name: '👍 1' }).click();
  await anns.getByRole('button', { name: '❤️ 1' }).click();
  await expect(anns.getByTestId('reaction')).toHaveCount(0);
  await expect(reloaded.getByTestId('reaction')).toHaveCount(0);

  await ann.context.close();
  await ben.context.close();
});
