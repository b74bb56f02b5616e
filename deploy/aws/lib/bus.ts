// The SNS + SQS bus exactly as src/events/sns/ (sns_address.cpp, bus_setup.cpp) sets it up: a
// FIFO topic, the notifier's FIFO queue subscribed with raw delivery and a filter on the
// `event_type` message attribute, and its FIFO dead-letter queue. CloudFormation owns them here,
// so the functions must never run the binary's own setup (it would reset the visibility timeout).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

// The event types the notifier subscribes to (its filter policy, as `serve` subscribes it).
export const NOTIFIER_EVENT_TYPES = ['ninja.order.created'];
export const MAX_RECEIVES = 5; // QueueSettings::max_receives: then a poison message is a dead letter
const RETENTION = Duration.days(14); // SQS's longest: a consumer down for days loses nothing

export interface BusProps {
  readonly prefix: string;
  // Lambda's guidance for an SQS event source: the queue hides a received batch for at least six
  // times the function's timeout, so a batch still being retried is not handed out twice.
  readonly notifierTimeout: Duration;
}

export class Bus extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;
  readonly notifierQueue: sqs.Queue;
  readonly notifierDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: BusProps) {
    super(scope, id);
    // SNS encrypts at rest only with KMS; a key of our own (rotated) so that the grant to the
    // relay names exactly this key.
    this.key = new kms.Key(this, 'Key', {
      description: `${props.prefix}ninja-events topic encryption`,
      enableKeyRotation: true,
      // Goes with the topic: nothing it encrypted outlives the stack (KMS waits 30 days anyway).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Events', {
      topicName: `${props.prefix}ninja-events.fifo`,
      fifo: true,
      // Deduplication by the event id the relay sets, never by content: two events may look alike.
      contentBasedDeduplication: false,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.notifierDeadLetters = new sqs.Queue(this, 'NotifierDeadLetters', {
      queueName: `${props.prefix}ninja-notifier-dlq.fifo`,
      fifo: true,
      retentionPeriod: RETENTION,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN, // dead letters are evidence
    });
    this.notifierQueue = new sqs.Queue(this, 'Notifier', {
      queueName: `${props.prefix}ninja-notifier.fifo`,
      fifo: true,
      retentionPeriod: RETENTION,
      visibilityTimeout: Duration.seconds(6 * props.notifierTimeout.toSeconds()),
      deadLetterQueue: { queue: this.notifierDeadLetters, maxReceiveCount: MAX_RECEIVES },
      // SSE-SQS needs no key policy for SNS to deliver (a KMS-encrypted queue would).
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.topic.addSubscription(
      new subscriptions.SqsSubscription(this.notifierQueue, {
        rawMessageDelivery: true,
        filterPolicy: { event_type: sns.SubscriptionFilter.stringFilter({ allowlist: NOTIFIER_EVENT_TYPES }) },
      }),
    );
  }
}
