// The service's HTTP API as the test's own client (not through the page): creating what the console
// should then show, and checking what it changed.
import { randomUUID } from 'node:crypto';

export function apiClient(baseUrl, key) {
  async function call(method, path, body, headers = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { 'x-api-key': key } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: response.status, body: json };
  }
  async function created(method, path, body) {
    const answer = await call(method, path, body);
    if (answer.status !== 201) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
  return {
    call,
    get: (path) => call('GET', path),
    /** A webhook user whose hook lands on `receiver` at a path of its own (registered with its secret). */
    async webhookUser(receiver, label = 'user') {
      const tag = randomUUID().slice(0, 8);
      const path = `/hooks/${label}-${tag}`;
      const user = await created('POST', '/v1/users', {
        name: `${label} ${tag}`,
        email: `${label}-${tag}@example.com`,
        notify_channel: 'webhook',
        webhook_url: receiver.url(path),
      });
      receiver.register(path, user.webhook_secret);
      return { ...user, hookPath: path };
    },
    plainUser(label = 'plain') {
      const tag = randomUUID().slice(0, 8);
      return created('POST', '/v1/users', { name: `${label} ${tag}`, email: `${label}-${tag}@example.com`, notify_channel: 'none' });
    },
    order(userId, items = [{ sku: 'SKU-1', quantity: 2, unit_price: 617 }], currency = 'USD') {
      return created('POST', '/v1/orders', { user_id: userId, items, currency });
    },
    /** Every item of a paged /v1 list, in the API's order. */
    async all(path) {
      const items = [];
      let cursor = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const page = await call('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        if (page.status !== 200) throw new Error(`GET ${path}: ${page.status}`);
        items.push(...page.body.items);
        cursor = page.body.next_cursor;
      } while (cursor);
      return items;
    },
    async notifications(orderId) {
      const answer = await call('GET', `/v1/orders/${orderId}/notifications`);
      return answer.status === 200 ? answer.body.items : [];
    },
  };
}
