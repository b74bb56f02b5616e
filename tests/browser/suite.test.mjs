// The browser suite: every scenario in order, sharing the servers, receivers and the one chromium that
// the Environment starts on first use; after() stops all of them however the scenarios ended.
import { after, test } from 'node:test';
import { Environment } from './lib/environment.mjs';
import { scenario } from './lib/scenario.mjs';
import { accessibility } from './scenarios/accessibility.mjs';
import { apiKeys } from './scenarios/api-keys.mjs';
import { bundleSize } from './scenarios/bundle-size.mjs';
import { charts } from './scenarios/charts.mjs';
import { deadLetters } from './scenarios/dead-letters.mjs';
import { docs } from './scenarios/docs.mjs';
import { hostileContent } from './scenarios/hostile-content.mjs';
import { keyForm } from './scenarios/key-form.mjs';
import { orderDetail } from './scenarios/order-detail.mjs';
import { usersAndOrders } from './scenarios/users-and-orders.mjs';

const env = new Environment({
  bin: process.env.NINJA_ORDERS_BIN,
  artifacts: process.env.NINJA_BROWSER_ARTIFACTS || new URL('../../build/browser-artifacts', import.meta.url).pathname,
});
after(() => env.stop());

const scenarios = [
  ['bundle-size', bundleSize],
  ['users-and-orders', usersAndOrders],
  ['order-detail', orderDetail],
  ['hostile-content', hostileContent],
  ['dead-letters', deadLetters],
  ['api-keys', apiKeys],
  ['key-form', keyForm],
  ['charts', charts],
  ['docs', docs],
  ['accessibility', accessibility],
];
for (const [name, body] of scenarios) test(name, { timeout: 60000 }, scenario(env, name, body));
