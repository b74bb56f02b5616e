// Builds the app as `cdk synth` does (cdk.json's feature flags, the fixture asset), with context
// overrides per test, and hands back the stack and its template.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from '../lib/config';
import { addNagChecks } from '../lib/nag';
import { NinjaOrdersStack } from '../lib/stack';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));
export const FIXTURE_ASSET = 'test/fixtures/lambda';

export interface Synthesized {
  readonly app: App;
  readonly stack: NinjaOrdersStack;
  readonly template: Template;
}

// aws-cdk-lib's own CloudFormation rules cost about 3 s per synth (8 s for the first) on this
// machine: the resource tests leave them to nag.test.ts and `cdk synth`, which run them all.
const WITHOUT_DEFAULT_RULES = { '@aws-cdk/core:validateAgainstDefaultRules': false };

// Each app synthesizes into a temporary directory of its own, removed after the test file.
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function buildApp(context: Record<string, unknown> = {}, options: { nag?: boolean } = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ninja-cdk-'));
  outdirs.push(outdir);
  const app = new App({
    context: {
      ...CDK_JSON.context,
      ...(options.nag ? {} : WITHOUT_DEFAULT_RULES),
      lambdaAsset: FIXTURE_ASSET,
      ...context,
    },
    outdir,
  });
  const config = configFromContext(app.node);
  const stack = new NinjaOrdersStack(app, 'NinjaOrders', config, { stackName: config.stackName });
  if (options.nag) addNagChecks(app, stack);
  return { app, stack };
}

export function synth(context: Record<string, unknown> = {}): Synthesized {
  const { app, stack } = buildApp(context);
  return { app, stack, template: Template.fromStack(stack) };
}

// The one resource of `type` whose logical id starts with `prefix` (CDK appends a hash).
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}
