// Scenario: what customers typed is shown as text, never run. A user's name, an order's SKU and its
// note carry markup and script; the users list, the user's page and the order's page show them
// literally, nothing they hold executes, and no element they describe appears in the page.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openConsole } from '../lib/scenario.mjs';

const NAME = '<img src=x onerror="window.__pwned=1">Mallory';
const SKU = '<b id="injected">BOLD</b>';
const NOTE = '<script>window.__pwned=2</script>"quoted" & \'single\'';

export async function hostileContent({ page, env }) {
  const server = await env.openServer();
  const tag = randomUUID().slice(0, 8);
  const created = await server.api.call('POST', '/v1/users', {
    name: NAME, email: `mallory-${tag}@example.com`, notify_channel: 'none',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const user = created.body;
  const order = await server.api.call('POST', '/v1/orders', {
    user_id: user.id, items: [{ sku: SKU, quantity: 1, unit_price: 100 }], note: NOTE,
  });
  assert.equal(order.status, 201, JSON.stringify(order.body));

  await openConsole(page, server, '#/users');
  const row = page.locator(`[data-testid="user-row"][data-id="${user.id}"]`);
  await row.waitFor();
  assert.ok((await row.innerText()).includes(NAME), 'the name is shown as typed');

  await openConsole(page, server, `#/users/${user.id}`);
  await page.getByTestId('user-detail').waitFor();
  assert.ok((await page.getByTestId('user-detail').innerText()).includes(NAME));

  await openConsole(page, server, `#/orders/${order.body.id}`);
  await page.getByTestId('order-detail').waitFor();
  assert.ok((await page.getByTestId('order-item').first().innerText()).includes(SKU), 'the SKU is shown as typed');
  assert.ok((await page.getByTestId('order-detail').innerText()).includes(NOTE), 'the note is shown as typed');

  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no markup from the data ran');
  assert.equal(await page.locator('#injected').count(), 0, 'no element from the data was created');
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'no image from the data was created');
}
