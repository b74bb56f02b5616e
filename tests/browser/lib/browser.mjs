// Debian's chromium driven by playwright-core (playwright's own browser builds cannot be downloaded
// here). A persistent context is how playwright accepts a user data dir of our choosing: a fresh one in
// the run's temp dir, so no profile state leaks between runs.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launchBrowser({ userDataDir, executablePath = process.env.CHROMIUM_BIN || '/usr/bin/chromium' }) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    // The api-key scenario copies the secret and reads the clipboard back.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Watches a page for what no scenario may cause: an uncaught exception, a Content-Security-Policy
 * refusal (the page needs something the server's CSP does not allow), or a request to a host other
 * than loopback (a CDN, a font, telemetry: the console and /docs must work offline).
 */
export function watchPage(page) {
  const problems = [];
  const requests = [];
  page.on('pageerror', (error) => problems.push(`uncaught in page: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    requests.push(request.url());
    if (/^(http|https|ws|wss):$/.test(url.protocol) && !LOOPBACK.has(url.hostname)) {
      problems.push(`request to a non-loopback host: ${request.url()}`);
    }
  });
  return { problems, requests };
}

/** Bytes and gzip bytes of the JS and CSS a page load fetched from `prefix` (measured on the wire's bodies). */
export function collectBundle(page, prefix) {
  const files = [];
  page.on('response', async (response) => {
    const type = response.request().resourceType();
    if (!response.url().startsWith(prefix) || (type !== 'script' && type !== 'stylesheet')) return;
    files.push(response.body().then((body) => ({ url: response.url(), type, body })).catch(() => null));
  });
  return async () => (await Promise.all(files)).filter(Boolean);
}
