// Scenario 8: axe-core on every console page, in the states an operator sees (lists with rows, an
// order with its timeline, a freshly created key, the charts, the key form with its error): no
// serious or critical violation. /docs (Swagger UI's markup, not ours) is scanned and reported only.
import assert from 'node:assert/strict';
import { axeViolations, BLOCKING, describeViolations } from '../lib/axe.mjs';
import { openConsole } from '../lib/scenario.mjs';
import { signIn } from './api-keys.mjs';

export async function accessibility({ page, env, log, shot }) {
  const open = await env.openServer();
  const user = await open.api.webhookUser(await env.okReceiver(), 'axe');
  const order = await open.api.order(user.id);
  const blocking = [];

  async function scan(label, ready) {
    await ready();
    const violations = await axeViolations(page);
    log(describeViolations(label, violations));
    await shot(label.replace(/[^a-z0-9]+/gi, '-'));
    return violations;
  }
  async function scanConsole(label, hash, ready) {
    const violations = await scan(label, async () => {
      await openConsole(page, open, hash);
      await page.locator(ready.split('|').map((id) => `[data-testid="${id}"]`).join(', ')).first().waitFor();
    });
    blocking.push(...violations.filter((v) => BLOCKING.has(v.impact)).map((v) => `${label}: ${v.id}`));
  }

  await scanConsole('orders', '#/orders', 'order-row|empty-state');
  await scanConsole('order', `#/orders/${order.id}`, 'timeline-entry');
  await scanConsole('users', '#/users', 'user-row');
  await scanConsole('user', `#/users/${user.id}`, 'user-detail');
  await scanConsole('dead-letters', '#/dead-letters', 'dead-letter-row|empty-state');
  await scanConsole('charts', '#/charts', 'chart-request-rate');
  await openConsole(page, open, '#/api-keys');
  await page.getByTestId('api-key-name').fill('axe');
  await page.getByTestId('api-key-create').click();
  await scanConsole('api-keys', '#/api-keys', 'api-key-secret');

  const keyed = await env.keyedServer();
  const keyViolations = await scan('key-form', async () => {
    await openConsole(page, keyed);
    await signIn(page, 'not-the-admin-key-but-long-enough-to-try');
    await page.getByTestId('key-error').waitFor();
  });
  blocking.push(...keyViolations.filter((v) => BLOCKING.has(v.impact)).map((v) => `key-form: ${v.id}`));

  const docs = await scan('docs', async () => {
    await page.goto(`${open.url}/docs/`);
    await page.locator('.swagger-ui .opblock').first().waitFor();
  });
  const docsBlocking = docs.filter((v) => BLOCKING.has(v.impact));
  if (docsBlocking.length) log(`/docs (Swagger UI, reported only): ${docsBlocking.map((v) => `${v.impact} ${v.id}`).join(', ')}`);

  assert.deepEqual(blocking, [], 'no serious or critical accessibility violation on a console page');
}
