// What invokes the relay and the notifier (PLAN.md §3, §4). Each has a fast path and a
// once-a-minute safety net, so nothing committed waits for ever if the fast path stalls:
// - relay: the outbox's stream (sub-second wake-up per new event) + a sweep of `unpublished`;
// - notifier: the SQS queue (partial batch responses) + a run of the deliveries due for retry.
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { Bus } from './bus';
import { Functions } from './functions';
import { Tables } from './tables';

// The payloads the binary's relay and notifier recognise as a scheduled call.
export const SWEEP_PAYLOAD = { ninja: 'sweep' };
export const RETRY_DUE_PAYLOAD = { ninja: 'retry-due' };

export class Triggers extends Construct {
  readonly sweep: events.Rule;
  readonly retryDue: events.Rule;

  constructor(scope: Construct, id: string, tables: Tables, bus: Bus, functions: Functions) {
    super(scope, id);
    const { relay, notifier } = functions.byHandler;

    relay.addEventSource(
      new sources.DynamoEventSource(tables.byName.outbox, {
        // From the oldest record kept (24 h): events committed before the mapping existed are
        // published too (the sweep would find them as well; the claim makes that harmless).
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // New events only: the relay's own updates (lease, published mark) and TTL deletes are
        // MODIFY and REMOVE records, which would only wake it for nothing.
        filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
        // No on-failure destination: a record is only a wake-up. What the mapping gives up on
        // is still pending in the table, and the next sweep publishes it.
        retryAttempts: 10,
        bisectBatchOnError: true,
        maxRecordAge: Duration.hours(1),
        reportBatchItemFailures: true,
      }),
    );
    notifier.addEventSource(
      new sources.SqsEventSource(bus.notifierQueue, {
        batchSize: 10, // FIFO's largest; FIFO sources take no batching window
        reportBatchItemFailures: true,
      }),
    );

    this.sweep = this.everyMinute('Sweep', relay, SWEEP_PAYLOAD, 'publishes what the stream trigger missed');
    this.retryDue = this.everyMinute('RetryDue', notifier, RETRY_DUE_PAYLOAD, 'runs the notifications due for retry');
  }

  // An EventBridge rule (no role: the rule invokes through the function's resource policy, for
  // this rule's ARN only).
  private everyMinute(id: string, fn: lambda.IFunction, payload: object, what: string): events.Rule {
    return new events.Rule(this, id, {
      description: `ninja-orders: every minute, ${what}`,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(fn, {
          event: events.RuleTargetInput.fromObject(payload),
          // A call not delivered within the minute is superseded by the next one.
          maxEventAge: Duration.minutes(1),
          retryAttempts: 2,
        }),
      ],
    });
  }
}
