// Scenario 5: on the api-key server the console asks for a key; a wrong one is refused with the
// problem's text, the admin key gets in, and key-clear forgets it.
import assert from 'node:assert/strict';
import { openConsole } from '../lib/scenario.mjs';
import { signIn } from './api-keys.mjs';

export async function keyForm({ page, env, shot }) {
  const server = await env.keyedServer();
  await openConsole(page, server);
  await page.getByTestId('key-form').waitFor();
  assert.equal(await page.getByTestId('orders-table').count(), 0, 'no data without a key');

  await signIn(page, `wrong-${'x'.repeat(40)}`);
  const error = page.getByTestId('key-error');
  await error.waitFor();
  assert.ok((await error.innerText()).trim().length > 0, 'key-error says why');
  assert.ok(await page.getByTestId('key-form').isVisible(), 'the form stays');
  await shot('wrong-key');

  await signIn(page, env.adminKey);
  await page.getByTestId('key-form').waitFor({ state: 'hidden' });
  await page.locator('[data-testid="orders-table"], [data-testid="empty-state"]').first().waitFor();
  assert.equal(await page.evaluate(() => window.sessionStorage.length > 0), true, 'the key is kept in sessionStorage');

  await page.getByTestId('key-clear').click();
  await page.reload();
  await page.getByTestId('key-form').waitFor();
}
