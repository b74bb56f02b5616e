// The three Lambda functions, all from ONE code asset (the `bootstrap` of `make lambda`, which
// runs `ninja-orders lambda` and picks the handler from `_HANDLER`). Each has its own role with
// only its own log group; permissions.ts and triggers.ts add the rest.
import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { StackConfig } from './config';

export type Handler = 'api' | 'relay' | 'notifier';
export const HANDLERS: Handler[] = ['api', 'relay', 'notifier'];

export const TIMEOUTS: Record<Handler, Duration> = {
  api: Duration.seconds(10), // as the original's functions; API Gateway gives up at 29 s anyway
  relay: Duration.seconds(30), // a sweep drains the backlog for a while, then the next one goes on
  notifier: Duration.seconds(30), // one inline attempt per delivery; retries are scheduled, not waited
};

const DESCRIPTIONS: Record<Handler, string> = {
  api: 'ninja-orders REST API (API Gateway proxy events, the same router as serve)',
  relay: 'ninja-orders outbox relay (DynamoDB Streams wake-ups and a sweep every minute) to SNS',
  notifier: 'ninja-orders notifier (SQS batches with partial batch responses, retries every minute)',
};

export interface FunctionsProps {
  readonly config: StackConfig;
  // The relay publishes to it; passed so the binary needs no sns:CreateTopic to learn the ARN.
  readonly topicArn: string;
}

// A relative asset path is relative to deploy/aws (where cdk.json is), whatever the cwd.
export function resolveAsset(asset: string): string {
  const resolved = path.isAbsolute(asset) ? asset : path.resolve(__dirname, '..', asset);
  if (!fs.existsSync(resolved)) {
    throw new Error(
      `lambda asset ${resolved} does not exist: run \`make lambda\` first, or synthesize with ` +
        '-c lambdaAsset=test/fixtures/lambda (a stand-in bootstrap)',
    );
  }
  return resolved;
}

export class Functions extends Construct {
  readonly byHandler: Record<Handler, lambda.Function>;
  readonly roles: Record<Handler, iam.Role>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { config } = props;
    const region = Stack.of(this).region;
    const code = lambda.Code.fromAsset(resolveAsset(config.lambdaAsset));
    const environment = {
      NINJA_ORDERS_STORE: `dynamodb://${region}?prefix=${config.prefix}`,
      NINJA_ORDERS_BUS: `sns://${region}?prefix=${config.prefix}`,
      NINJA_ORDERS_LOG_LEVEL: 'info',
    };
    const byHandler = {} as Record<Handler, lambda.Function>;
    const roles = {} as Record<Handler, iam.Role>;
    for (const handler of HANDLERS) {
      const logGroup = new logs.LogGroup(this, `${handler}Logs`, {
        retention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // A role of our own instead of AWSLambdaBasicExecutionRole: logs go to this group only.
      const role = new iam.Role(this, `${handler}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `ninja-orders ${handler} function`,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      byHandler[handler] = new lambda.Function(this, handler, {
        description: DESCRIPTIONS[handler],
        runtime: lambda.Runtime.PROVIDED_AL2023,
        architecture: config.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
        code,
        handler,
        memorySize: config.memoryMb,
        timeout: TIMEOUTS[handler],
        tracing: lambda.Tracing.ACTIVE,
        role,
        logGroup,
        loggingFormat: lambda.LoggingFormat.TEXT, // stdout lines as they are: EMF lines stay JSON
        // The relay, the publisher, is told the topic: the bus then makes no CreateTopic call (sns:Publish only).
        environment:
          handler === 'relay'
            ? { ...environment, NINJA_ORDERS_BUS: `sns://${region}?prefix=${config.prefix}&topic_arn=${props.topicArn}` }
            : environment,
        // Asynchronous calls are the schedules only: a failed sweep is not retried, the next one
        // comes within a minute (and a retry could overlap it).
        retryAttempts: handler === 'api' ? undefined : 0,
      });
      roles[handler] = role;
    }
    this.byHandler = byHandler;
    this.roles = roles;
  }
}
