// One scenario = one fresh tab: watched for uncaught errors, CSP refusals and non-loopback requests,
// and photographed at its end (`<name>.png`) or where it failed (`<name>-failed.png`).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { watchPage } from './browser.mjs';

export function scenario(env, name, body) {
  return async (t) => {
    mkdirSync(env.artifacts, { recursive: true });
    const context = await env.browser();
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const watch = watchPage(page);
    const shot = (label) => page.screenshot({ path: join(env.artifacts, `${name}-${label}.png`), fullPage: true });
    const log = (message) => t.diagnostic(message);
    let failure = null;
    try {
      await body({ page, env, shot, log, watch });
      if (watch.problems.length) throw new Error(`the page misbehaved:\n  ${watch.problems.join('\n  ')}`);
    } catch (error) {
      failure = error;
      // What the console itself said is often the quickest explanation of a timeout.
      const banner = await page.getByTestId('error-banner').filter({ visible: true }).allInnerTexts().catch(() => []);
      if (banner.join('').trim()) log(`error-banner at failure: ${banner.join(' | ').trim()}`);
    }
    await page.screenshot({ path: join(env.artifacts, `${name}${failure ? '-failed' : ''}.png`), fullPage: true })
      .catch((error) => log(`no screenshot: ${error.message}`));
    await page.close().catch(() => {});
    if (failure) throw failure;
  };
}

/** The console at `hash` (e.g. '#/orders') on `server`. */
export async function openConsole(page, server, hash = '') {
  await page.goto(`${server.url}/console/${hash}`);
}

/** The data-id's of the rows matching `locator`, in page order. */
export function ids(locator, attribute = 'id') {
  return locator.evaluateAll((elements, key) => elements.map((e) => e.dataset[key]), attribute);
}
