// Scenario 7: /docs renders the served /openapi.json (title and operations), "Try it out" on
// GET /healthz really calls the server and shows 200, and nothing is fetched from outside loopback.
import assert from 'node:assert/strict';

export async function docs({ page, env, watch, log }) {
  const server = await env.openServer();
  const spec = (await server.api.get('/openapi.json')).body;
  const redirect = await fetch(`${server.url}/docs`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(new URL(redirect.headers.get('location'), server.url).pathname, '/docs/');

  await page.goto(`${server.url}/docs`);
  await page.locator('.swagger-ui .info .title').filter({ hasText: spec.info.title }).waitFor();
  const paths = await page.locator('.opblock .opblock-summary-path').evaluateAll((e) => e.map((x) => x.textContent.replace(/\u200b/g, '').trim()));
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).filter((k) => methods.has(k)).length, 0);
  assert.equal(paths.length, operations, `every operation of the document is listed (${paths.length}/${operations})`);
  for (const path of ['/v1/users', '/v1/orders/{id}', '/healthz']) assert.ok(paths.includes(path), `${path} listed`);

  const healthz = page.locator('.opblock-get').filter({ has: page.locator('.opblock-summary-path', { hasText: /^\/healthz$/ }) });
  await healthz.locator('.opblock-summary').first().click();
  // With Swagger UI's tryItOutEnabled the form is open from the start: then there is no button to click.
  const tryItOut = healthz.getByRole('button', { name: /^try it out$/i });
  await healthz.getByRole('button', { name: /^(try it out|cancel)$/i }).waitFor();
  if (await tryItOut.count()) await tryItOut.click();
  const called = page.waitForResponse((r) => new URL(r.url()).pathname === '/healthz');
  await healthz.getByRole('button', { name: /execute/i }).click();
  assert.equal((await called).status(), 200);
  const status = healthz.locator('.live-responses-table .response .response-col_status');
  await status.first().waitFor();
  assert.equal((await status.first().innerText()).trim(), '200');

  const hosts = [...new Set(watch.requests.map((u) => new URL(u)).filter((u) => u.protocol.startsWith('http')).map((u) => u.host))];
  log(`/docs requested from: ${hosts.join(', ')} (${watch.requests.length} requests)`);
  assert.deepEqual(hosts, [new URL(server.url).host], 'every request went to the server itself');
}
