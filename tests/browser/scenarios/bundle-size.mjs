// The console's weight as a browser loading /console/ receives it: every JS and CSS response, in bytes
// and in gzip bytes (what a compressing proxy would send). Printed for the report; it fails only if the
// page loaded no script at all (then there is no console to measure).
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { collectBundle } from '../lib/browser.mjs';

export async function bundleSize({ page, env, log }) {
  const server = await env.openServer();
  const files = collectBundle(page, `${server.url}/console/`);
  await page.goto(`${server.url}/console/`, { waitUntil: 'networkidle' });
  const loaded = await files();
  assert.ok(loaded.some((f) => f.type === 'script'), 'the console page loads its script');
  let bytes = 0;
  let gzipped = 0;
  for (const file of loaded) {
    const gz = gzipSync(file.body, { level: 9 }).length;
    bytes += file.body.length;
    gzipped += gz;
    log(`  ${file.type.padEnd(10)} ${String(file.body.length).padStart(8)} B ${String(gz).padStart(7)} B gzip  ${new URL(file.url).pathname}`);
  }
  const line = `console bundle: ${bytes} bytes, ${gzipped} gzip bytes (${loaded.length} JS/CSS files)`;
  log(line);
  console.log(line);
}
