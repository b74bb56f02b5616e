// A real webhook receiver on a free loopback port. Each user gets its own path (register(path, secret)),
// so a request is checked against that user's Standard Webhooks secret:
// v1,base64(HMAC-SHA256(secret bytes, id + "." + timestamp + "." + body)). It answers `status`, which a
// test can change at any time (a receiver that fails until told to recover).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { poll } from './poll.mjs';

function signatureOk(secret, headers, body) {
  if (!secret) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = Buffer.concat([Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`), body]);
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(signed).digest('base64')}`);
  // The header may carry several space-separated signatures (key rotation); one match is enough.
  return (headers['webhook-signature'] ?? '').split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export async function startReceiver({ name, status = 200 }) {
  const secrets = new Map();
  const received = [];
  const receiver = {
    name,
    status,
    received,
    register(path, secret) { secrets.set(path, secret); },
    url(path) { return `http://127.0.0.1:${server.address().port}${path}`; },
    /** Requests (verified or not) for one path, oldest first. */
    requestsFor(path) { return received.filter((request) => request.path === path); },
    waitFor(predicate, { timeout = 10000, what = `a request on ${name}` } = {}) {
      return poll(() => received.find(predicate), { timeout, what });
    },
    close() { return new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }); },
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let event = null;
      try { event = JSON.parse(body.toString()); } catch { /* recorded as unparsable */ }
      received.push({
        path: req.url,
        answered: receiver.status,
        verified: signatureOk(secrets.get(req.url), req.headers, body),
        webhookId: req.headers['webhook-id'],
        event,
      });
      res.writeHead(receiver.status, { 'content-length': '0' });
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return receiver;
}
