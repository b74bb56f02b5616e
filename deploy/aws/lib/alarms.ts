// The alarms, to one encrypted SNS topic (with an email subscription when `-c alarmEmail=…`), as
// the original's "delayed order create" alarm, plus what it only hinted at (PLAN.md §7.4).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { StackConfig } from './config';
import { Functions, HANDLERS } from './functions';

// The relay's sweep writes this as an EMF log line every minute (0 when nothing is pending):
// the age of the oldest event not yet published. No dimensions.
export const LAG_NAMESPACE = 'NinjaOrders';
export const LAG_METRIC = 'OutboxOldestPendingAgeSeconds';

export interface AlarmsProps {
  readonly config: StackConfig;
  readonly functions: Functions;
  readonly restApi: apigateway.RestApi;
  readonly deadLetters: sqs.IQueue;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { config, functions, restApi, deadLetters } = props;
    this.namePrefix = config.prefix;
    // CloudWatch can only publish to an encrypted topic whose key lets it (an AWS managed key
    // cannot): a key of our own, rotated.
    const key = new kms.Key(this, 'Key', {
      description: `${config.prefix}ninja-orders alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${config.prefix}ninja-orders-alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));

    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const lag = (statistic: string, period: Duration) =>
      new cloudwatch.Metric({ namespace: LAG_NAMESPACE, metricName: LAG_METRIC, statistic, period });

    // The original's threshold and shape (60 s, one 1-minute period). Missing data is not
    // breaching: silence means the sweep did not run, which SweeperStopped reports on its own.
    this.add('DelayedOrderCreate', 'an event has waited a minute or more to be published (outbox lag)', {
      metric: lag('Maximum', minute),
      threshold: 60,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // A heartbeat, not the relay's Invocations: the stream invokes the relay too, so Invocations
    // stay up while the sweep is dead. Only a sweep writes the lag metric, once per run.
    this.add('SweeperStopped', 'no outbox sweep has reported in 5 minutes', {
      metric: lag('SampleCount', fiveMinutes),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.add('NotifierDeadLetters', 'a notification event reached the dead-letter queue', {
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: fiveMinutes }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // 5XXError's Average is the share of requests answered 5xx.
    this.add('Api5xxRate', 'more than 1% of API requests answered 5xx', {
      metric: restApi.metricServerError({ statistic: 'Average', period: fiveMinutes }),
      threshold: 0.01,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.add('ApiLatencyP99', `API p99 latency at or above ${config.latencyP99Ms} ms`, {
      metric: restApi.metricLatency({ statistic: 'p99', period: fiveMinutes }),
      threshold: config.latencyP99Ms,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const handler of HANDLERS) {
      const fn = functions.byHandler[handler];
      this.add(`${handler}Errors`, `the ${handler} function failed`, {
        metric: fn.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.add(`${handler}Throttles`, `the ${handler} function was throttled`, {
        metric: fn.metricThrottles({ statistic: 'Sum', period: fiveMinutes }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    // The stream mapping falls behind (the relay fails or is throttled on wake-ups).
    this.add('RelayIteratorAge', 'the relay reads the outbox stream a minute or more behind', {
      metric: functions.byHandler.relay.metric('IteratorAge', { statistic: 'Maximum', period: fiveMinutes }),
      threshold: 60_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private add(name: string, description: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): void {
    const alarm = new cloudwatch.Alarm(this, name, {
      alarmName: `${this.namePrefix}${name}`,
      alarmDescription: `ninja-orders: ${description}`,
      evaluationPeriods: 1,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
