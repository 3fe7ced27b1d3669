import { befriend, conversation, expect, openChatWith, register, sendText, test } from './helpers';

test('the conversation list follows nextCursor past its first page', async ({ browser }) => {
  const lea = await register(browser, 'Lea');
  const max = await register(browser, 'Max');
  await befriend(lea, max);
  await openChatWith(lea, max);
  await sendText(lea, 'Page two, please');

  // Max's server answers as if he had more conversations than one page holds: the first page is empty and
  // points on; the real list comes only on the second request, with the cursor.
  const cursors: Array<string | null> = [];
  await max.page.route('**/api/v1/conversations?*', async (route) => {
    const url = new URL(route.request().url());
    const cursor = url.searchParams.get('cursor');
    cursors.push(cursor);
    if (cursor === null) {
      await route.fulfill({ json: { conversations: [], nextCursor: 'page-2' } });
      return;
    }
    url.searchParams.delete('cursor');
    await route.fulfill({ response: await route.fetch({ url: url.toString() }) });
  });
  await max.page.reload();
  await expect(conversation(max, 'Lea')).toBeVisible();
  expect(cursors).toContain('page-2');
  await max.context.close();
  await lea.context.close();
});
