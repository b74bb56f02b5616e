// Scenario 2: an order's page shows its items, its total and a notification timeline that reaches
// `delivered` — the receiver really got the signed webhook for that order.
import assert from 'node:assert/strict';
import { openConsole } from '../lib/scenario.mjs';

export async function orderDetail({ page, env }) {
  const server = await env.openServer();
  const receiver = await env.okReceiver();
  const user = await server.api.webhookUser(receiver, 'grace');
  const order = await server.api.order(user.id, [
    { sku: 'KATANA', quantity: 1, unit_price: 1000 },
    { sku: 'SHURIKEN', quantity: 3, unit_price: 78 },
  ]);
  assert.equal(order.total, 1234);

  await openConsole(page, server, `#/orders/${order.id}`);
  await page.getByTestId('order-detail').waitFor();
  assert.match(await page.getByTestId('order-total').innerText(), /^\s*USD\s*12\.34\s*$/);
  const items = page.getByTestId('order-item');
  assert.equal(await items.count(), 2);
  const katana = await items.nth(0).innerText();
  const shuriken = await items.nth(1).innerText();
  assert.ok(katana.includes('KATANA') && /10\.00/.test(katana), `item 1: ${katana}`);
  assert.ok(shuriken.includes('SHURIKEN') && /\b3\b/.test(shuriken) && /0\.78/.test(shuriken), `item 2: ${shuriken}`);

  // The timeline refreshes itself while an entry is pending or failed; no clicking needed.
  const delivered = page.locator('[data-testid="timeline"] [data-testid="timeline-entry"][data-status="delivered"]');
  await delivered.waitFor({ timeout: 15000 });
  assert.ok((await delivered.innerText()).includes('webhook'), 'the entry names its channel');
  const hook = await receiver.waitFor((r) => r.path === user.hookPath && r.event?.data?.id === order.id);
  assert.ok(hook.verified, 'the webhook carried a valid Standard Webhooks signature');
}
