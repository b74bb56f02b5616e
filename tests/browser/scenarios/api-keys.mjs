// Scenario 4: on the api-key server, create a key in the console (its secret shown once, copyable),
// use it on /v1, revoke it with the two-step button, and see /v1 refuse it within ~2 s.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { apiClient } from '../lib/api.mjs';
import { poll } from '../lib/poll.mjs';
import { openConsole } from '../lib/scenario.mjs';

export async function signIn(page, key) {
  await page.getByTestId('key-form').waitFor();
  await page.getByTestId('key-input').fill(key);
  await page.getByTestId('key-save').click();
}

export async function apiKeys({ page, env, log }) {
  const server = await env.keyedServer();
  await openConsole(page, server, '#/api-keys');
  await signIn(page, env.adminKey);
  await page.getByTestId('key-form').waitFor({ state: 'hidden' });

  const name = `browser-${randomUUID().slice(0, 8)}`;
  await page.getByTestId('api-key-name').fill(name);
  await page.getByTestId('api-key-create').click();
  const secret = (await page.getByTestId('api-key-secret').innerText()).trim();
  assert.match(secret, /^nok_\S+$/, 'the full key is shown');
  await page.getByTestId('api-key-copy').click();
  await poll(async () => /copied/i.test(await page.getByTestId('api-key-copied').innerText()), { what: 'copied' });
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret, 'the clipboard holds the key');

  const row = page.locator('[data-testid="api-key-row"]', { hasText: name });
  await row.waitFor();
  assert.equal(await row.getAttribute('data-revoked'), 'false');
  const keyId = await row.getAttribute('data-id');
  log(`created key ${keyId}`);

  const withKey = apiClient(server.url, secret);
  // The server refreshes its key table periodically (every 500 ms): a new key, like a revoked one,
  // takes effect within the same ~2 s the contract allows for revocation.
  const created = Date.now();
  await poll(async () => (await withKey.get('/v1/users')).status === 200, { timeout: 2500, what: 'the new key to work on /v1' });
  log(`new key accepted after ${Date.now() - created} ms`);
  assert.equal((await apiClient(server.url, 'nok_not-a-key').get('/v1/users')).status, 401, 'a made-up key does not');

  // Shown once: after a reload the secret is gone, the key is still listed.
  await page.reload();
  await row.waitFor();
  assert.equal(await page.getByTestId('api-key-secret').count(), 0, 'the secret is not shown again');

  // The first click only asks; the key still works until the confirmation.
  await row.getByTestId('api-key-revoke').click();
  const confirm = row.getByTestId('api-key-revoke-confirm');
  await confirm.waitFor();
  assert.equal((await withKey.get('/v1/users')).status, 200, 'not revoked before the confirmation');
  assert.equal(await row.getAttribute('data-revoked'), 'false');
  await confirm.click();
  const revoked = page.locator(`[data-testid="api-key-row"][data-id="${keyId}"][data-revoked="true"]`);
  await revoked.waitFor();
  assert.equal(await revoked.getByTestId('api-key-revoke').count(), 0, 'a revoked key has no revoke button');

  const since = Date.now();
  await poll(async () => (await withKey.get('/v1/users')).status === 401, { timeout: 2500, what: '/v1 to refuse the revoked key' });
  log(`revoked key refused after ${Date.now() - since} ms`);
}
