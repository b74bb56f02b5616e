// axe-core from node_modules, run inside the page. The console's CSP (script-src 'self') forbids the
// inline <script> that page.addScriptTag({path}) would insert, so the source is evaluated through the
// DevTools protocol instead, which CSP does not govern; the page's own policy stays untouched.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const BLOCKING = new Set(['serious', 'critical']);

/** The violations on the page as it is now: [{id, impact, help, nodes: [target…]}]. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')),
  }));
}

export function describeViolations(where, violations) {
  if (violations.length === 0) return `axe ${where}: no violations`;
  return [`axe ${where}: ${violations.length} violation(s)`,
    ...violations.map((v) => `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 3).join(', ')})`)].join('\n');
}
