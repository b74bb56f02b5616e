// The stack's settings, read once from CDK context (`-c name=value` or cdk.json) and checked, so a
// typo fails the synth with a sentence instead of a deployment that half works.
import { Node } from 'constructs';

export type Architecture = 'x86_64' | 'arm64';

export interface StackConfig {
  // Put in front of every physical name (tables, topic, queues), exactly as the binary's
  // `dynamodb://REGION?prefix=P` and `sns://REGION?prefix=P` expect it.
  readonly prefix: string;
  readonly stackName: string;
  // A directory or a .zip with the `bootstrap` of `make lambda`: the one code asset of all functions.
  readonly lambdaAsset: string;
  readonly architecture: Architecture;
  readonly memoryMb: number;
  readonly logRetentionDays: number;
  // API Gateway stage and usage plan throttling (requests per second, burst bucket).
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly latencyP99Ms: number;
  readonly alarmEmail?: string;
  // Whether this stack sets the account's (per region) API Gateway CloudWatch role; false when
  // another stack of the account already owns that singleton.
  readonly apiAccountRole: boolean;
  readonly backupRetentionDays: number;
}

export const DEFAULTS = {
  prefix: 'ninja-',
  lambdaAsset: '../../build/lambda/ninja-orders.zip',
  architecture: 'x86_64' as Architecture,
  memoryMb: 256,
  logRetentionDays: 14,
  rateLimit: 2, // the original's stage throttling (PLAN.md §8)
  burstLimit: 10,
  latencyP99Ms: 1000,
  apiAccountRole: true,
  backupRetentionDays: 35,
};

// CloudWatch Logs accepts only these retention periods.
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653];

// The binary's SnsAddress rule (letters, digits, '-', '_'; at most 40), which is also within
// DynamoDB's table name rules.
const PREFIX = /^[A-Za-z0-9_-]{0,40}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function fail(name: string, why: string): never {
  throw new Error(`context ${name}: ${why}`);
}

function text(node: Node, name: string): string | undefined {
  const value = node.tryGetContext(name);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function integer(node: Node, name: string, fallback: number, min: number, max: number): number {
  const raw = text(node, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) fail(name, `'${raw}' is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) fail(name, `${value} is not within ${min}..${max}`);
  return value;
}

function boolean(node: Node, name: string, fallback: boolean): boolean {
  const raw = text(node, name);
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return fail(name, `'${raw}' is neither true nor false`);
}

// "ninja-" → "ninja-orders", "dev_" → "dev-orders": a second prefix gets a second stack by
// default instead of renaming the first one's resources.
function defaultStackName(prefix: string): string {
  return `${prefix.replace(/_/g, '-')}orders`;
}

export function configFromContext(node: Node): StackConfig {
  const prefix = text(node, 'prefix') ?? (node.tryGetContext('prefix') === '' ? '' : DEFAULTS.prefix);
  if (!PREFIX.test(prefix)) fail('prefix', `'${prefix}' may only hold letters, digits, '-' and '_' (at most 40)`);

  const stackName = text(node, 'stackName') ?? defaultStackName(prefix);
  if (!STACK_NAME.test(stackName)) {
    fail('stackName', `'${stackName}' must start with a letter and hold only letters, digits and '-'`);
  }

  const architecture = (text(node, 'architecture') ?? DEFAULTS.architecture) as Architecture;
  if (architecture !== 'x86_64' && architecture !== 'arm64') {
    fail('architecture', `'${architecture}' is neither x86_64 nor arm64`);
  }

  const logRetentionDays = integer(node, 'logRetentionDays', DEFAULTS.logRetentionDays, 1, 3653);
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    fail('logRetentionDays', `${logRetentionDays} is not one of CloudWatch's periods (${RETENTION_DAYS.join(', ')})`);
  }

  const alarmEmail = text(node, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) fail('alarmEmail', `'${alarmEmail}' is no email address`);

  const rateLimit = integer(node, 'rateLimit', DEFAULTS.rateLimit, 1, 10000);
  const burstLimit = integer(node, 'burstLimit', DEFAULTS.burstLimit, 1, 5000);
  if (burstLimit < rateLimit) fail('burstLimit', `${burstLimit} is below the rate limit ${rateLimit}`);

  return {
    prefix,
    stackName,
    lambdaAsset: text(node, 'lambdaAsset') ?? DEFAULTS.lambdaAsset,
    architecture,
    memoryMb: integer(node, 'memoryMb', DEFAULTS.memoryMb, 128, 10240),
    logRetentionDays,
    rateLimit,
    burstLimit,
    latencyP99Ms: integer(node, 'latencyP99Ms', DEFAULTS.latencyP99Ms, 1, 29000),
    alarmEmail,
    apiAccountRole: boolean(node, 'apiAccountRole', DEFAULTS.apiAccountRole),
    backupRetentionDays: integer(node, 'backupRetentionDays', DEFAULTS.backupRetentionDays, 1, 36500),
  };
}
