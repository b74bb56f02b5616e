// Scenario 1: what the API created is listed by the console, newest first; search by email and by id;
// keyset paging walks every user exactly once, in the API's order.
import assert from 'node:assert/strict';
import { poll } from '../lib/poll.mjs';
import { ids, openConsole } from '../lib/scenario.mjs';

export async function usersAndOrders({ page, env, log }) {
  const server = await env.openServer();
  const user = await server.api.webhookUser(await env.okReceiver(), 'ada');
  const orders = [];
  for (const quantity of [1, 2, 3]) {
    orders.push(await server.api.order(user.id, [{ sku: `SKU-${quantity}`, quantity, unit_price: 1050 }]));
  }

  await openConsole(page, server); // the default route is #/orders
  const orderRows = page.getByTestId('orders-table').getByTestId('order-row');
  await orderRows.first().waitFor();
  assert.deepEqual((await ids(orderRows)).slice(0, 3), orders.map((o) => o.id).reverse(), 'orders newest first');
  const newest = await orderRows.first().innerText();
  assert.match(newest, /USD\s*31\.50|31\.50\s*USD/, `the newest order's total (3 × 10.50) in ${newest}`);

  await page.getByTestId('nav-users').click();
  const userRow = page.locator(`[data-testid="user-row"][data-id="${user.id}"]`);
  await userRow.waitFor();
  const shown = await userRow.innerText();
  for (const text of [user.name, user.email, 'webhook']) assert.ok(shown.includes(text), `user row shows ${text}: ${shown}`);

  // Search by email: the list is that one user.
  const userRows = page.getByTestId('users-table').getByTestId('user-row');
  await page.getByTestId('search-input').fill(user.email);
  await page.getByTestId('search-submit').click();
  await poll(async () => JSON.stringify(await ids(userRows)) === JSON.stringify([user.id]), { what: 'the email search to list only the user' });

  // Search by id: the user's page with its three orders.
  await page.getByTestId('search-input').fill(user.id);
  await page.getByTestId('search-submit').click();
  await page.waitForURL(`**/console/#/users/${user.id}`);
  assert.ok((await page.getByTestId('user-detail').innerText()).includes(user.email));
  const userOrders = page.getByTestId('orders-table').getByTestId('order-row');
  await poll(async () => (await userOrders.count()) === 3, { what: "the user's 3 orders" });
  assert.deepEqual(await ids(userOrders), orders.map((o) => o.id).reverse());

  // An order id in the orders page's search opens that order.
  await page.getByTestId('nav-orders').click();
  await page.getByTestId('search-input').fill(orders[0].id);
  await page.getByTestId('search-submit').click();
  await page.waitForURL(`**/console/#/orders/${orders[0].id}`);
  await page.getByTestId('order-detail').waitFor();

  await walkPages({ page, server, log, hash: '#/users', table: 'users-table', row: 'user-row', listPath: '/v1/users',
    add: () => server.api.plainUser('pager') });
  const quiet = await server.api.plainUser('pager'); // channel none: paging orders sends no webhooks
  await walkPages({ page, server, log, hash: '#/orders', table: 'orders-table', row: 'order-row', listPath: '/v1/orders',
    add: () => server.api.order(quiet.id) });
}

/**
 * More rows than one page holds, then next-page until it is disabled: every entity once, newest first,
 * in the API's own order. The page size is the console's: add entities until page 1 no longer holds all.
 */
async function walkPages({ page, server, log, hash, table, row, listPath, add }) {
  await openConsole(page, server, hash);
  const rows = page.getByTestId(table).getByTestId(row);
  const next = page.getByTestId('next-page');
  for (;;) {
    await page.reload();
    await rows.first().waitFor();
    await next.waitFor();
    if (!(await next.isDisabled())) break;
    const shown = await rows.count();
    assert.ok(shown <= 100, `no page holds more than the API's limit of 100 (${shown})`);
    for (let i = 0; i < Math.max(shown, 5); i++) await add();
  }
  const pageSize = await rows.count();
  const expected = (await server.api.all(listPath)).map((entity) => entity.id);
  log(`paging ${expected.length} on ${hash}, ${pageSize} a page`);

  const seen = [];
  for (;;) {
    const onPage = await ids(rows);
    assert.ok(onPage.length > 0 && onPage.length <= pageSize, `a page of 1..${pageSize} rows, got ${onPage.length}`);
    seen.push(...onPage);
    if (await next.isDisabled()) break;
    assert.ok(seen.length < expected.length, 'next-page enabled after the last row');
    await next.click();
    await poll(async () => (await ids(rows))[0] !== onPage[0], { what: `the next page of ${hash}` });
  }
  assert.deepEqual(seen, expected, 'the pages together are every entity, newest first, each once');
  assert.ok(seen.length > pageSize, 'more than one page was walked');
}
