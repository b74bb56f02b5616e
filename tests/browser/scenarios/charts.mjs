// Scenario 6: the charts scrape /metrics every 2 s; under load from the test (reads, and orders whose
// webhooks are delivered) every chart keeps more samples and the moving ones show new values.
import assert from 'node:assert/strict';
import { poll, sleep } from '../lib/poll.mjs';
import { openConsole } from '../lib/scenario.mjs';

const CHARTS = ['chart-request-rate', 'chart-latency', 'chart-outbox-lag', 'chart-deliveries'];
// The outbox lag of an idle, fast relay is 0 before and after: its value need not move, its samples must.
const MOVING = ['chart-request-rate', 'chart-latency', 'chart-deliveries'];

async function readCharts(page) {
  const state = {};
  for (const id of CHARTS) {
    const chart = page.getByTestId(id);
    state[id] = { samples: Number(await chart.getAttribute('data-samples')), last: await chart.getAttribute('data-last') };
  }
  return state;
}

/** Requests from several concurrent clients until `stop` says so: a few hundred per second. */
async function load(server, user, until) {
  let requests = 0;
  const worker = async (n) => {
    while (Date.now() < until) {
      if (n === 0) await server.api.order(user.id);
      else await server.api.get(n % 2 ? '/v1/orders?limit=5' : '/v1/users?limit=5');
      requests += 1;
    }
  };
  await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
  return requests;
}

export async function charts({ page, env, log }) {
  const server = await env.openServer();
  const user = await server.api.webhookUser(await env.okReceiver(), 'charts');
  await openConsole(page, server, '#/charts');
  for (const id of CHARTS) await page.getByTestId(id).waitFor();
  const before = await poll(async () => {
    const state = await readCharts(page);
    return CHARTS.every((id) => state[id].samples >= 1) && state;
  }, { timeout: 8000, what: 'a first sample on every chart' });

  const requests = await load(server, user, Date.now() + 5000);
  const after = await poll(async () => {
    const state = await readCharts(page);
    const grown = CHARTS.every((id) => state[id].samples > before[id].samples + 1);
    const moved = MOVING.every((id) => state[id].last !== before[id].last && Number.isFinite(Number(state[id].last)));
    return grown && moved && state;
  }, { timeout: 8000, what: `charts to grow and move (before ${JSON.stringify(before)})` });
  log(`${requests} requests in 5 s; charts ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  assert.ok(Number(after['chart-request-rate'].last) > 0, 'a request rate above 0 under load');

  const window = page.getByTestId('chart-window');
  assert.deepEqual(await window.locator('option').evaluateAll((o) => o.map((e) => e.value)), ['60', '300', '900']);
  await window.selectOption('300');
  assert.equal(await window.inputValue(), '300');
  await sleep(2500); // one more scrape in the wider window
  const wider = await readCharts(page);
  for (const id of CHARTS) {
    assert.ok(wider[id].samples >= after[id].samples, `${id}: a wider window keeps every sample (${wider[id].samples})`);
  }
}
