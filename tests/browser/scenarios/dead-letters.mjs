// Scenario 3: a webhook that fails until dead shows on the dead-letters page; once its receiver
// recovers, replay-one brings it to `delivered`, and replay-all does the same for two at once.
import assert from 'node:assert/strict';
import { poll } from '../lib/poll.mjs';
import { openConsole } from '../lib/scenario.mjs';

const deadRow = (page, eventId) => page.locator(`[data-testid="dead-letter-row"][data-event-id="${eventId}"]`);

/** The event id of the order's notification once it is dead (the server gives up after 2 fast attempts). */
async function deadEvent(server, orderId) {
  const entry = await poll(async () => (await server.api.notifications(orderId)).find((n) => n.status === 'dead'),
    { timeout: 15000, what: `order ${orderId}'s notification to be dead` });
  return entry.event_id;
}

/** The dead-letters page does not poll, so reload until the rows are there. */
async function waitForRows(page, server, eventIds) {
  await poll(async () => {
    await openConsole(page, server, '#/dead-letters');
    await page.reload();
    for (const id of eventIds) await deadRow(page, id).waitFor({ timeout: 2000 });
    return true;
  }, { timeout: 15000, what: `dead-letter rows ${eventIds}` });
}

export async function deadLetters({ page, env }) {
  const server = await env.openServer();
  const receiver = await env.failingReceiver();
  receiver.status = 500;
  const user = await server.api.webhookUser(receiver, 'failing');

  const first = await server.api.order(user.id);
  const firstEvent = await deadEvent(server, first.id);
  await waitForRows(page, server, [firstEvent]);
  assert.match(await deadRow(page, firstEvent).innerText(), /500/, 'the row shows the last error');

  receiver.status = 200;
  await deadRow(page, firstEvent).getByTestId('replay-one').click();
  await poll(async () => /\b1\b/.test(await page.getByTestId('replay-result').innerText()), { what: 'replay-result: 1 queued' });
  await deadRow(page, firstEvent).waitFor({ state: 'detached' });
  await openConsole(page, server, `#/orders/${first.id}`);
  await page.locator('[data-testid="timeline-entry"][data-status="delivered"]').waitFor({ timeout: 15000 });
  assert.ok((await receiver.waitFor((r) => r.path === user.hookPath && r.answered === 200)).verified);

  receiver.status = 500;
  const more = [await server.api.order(user.id), await server.api.order(user.id)];
  const events = [await deadEvent(server, more[0].id), await deadEvent(server, more[1].id)];
  await waitForRows(page, server, events);
  receiver.status = 200;
  await page.getByTestId('replay-all').click();
  await poll(async () => /\b2\b/.test(await page.getByTestId('replay-result').innerText()), { what: 'replay-result: 2 queued' });
  for (const id of events) await deadRow(page, id).waitFor({ state: 'detached' });
  await page.getByTestId('empty-state').waitFor();
  for (const order of more) {
    await poll(async () => (await server.api.notifications(order.id)).some((n) => n.status === 'delivered'),
      { timeout: 15000, what: `order ${order.id} delivered after replay-all` });
  }
}
