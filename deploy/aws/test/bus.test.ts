// The topic, the notifier's queue and its dead-letter queue, as src/events/sns/ names and sets them.
import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synth } from './synth';

describe('bus', () => {
  const { template } = synth({ prefix: 'test-' });
  const queueId = (name: string) =>
    Object.entries(template.findResources('AWS::SQS::Queue')).find(([, q]) => q.Properties.QueueName === name)![0];

  test('a FIFO topic, deduplicated by the id the relay sets, encrypted with a rotated key of its own', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2); // the events and the alarms
    const key = logicalId(template, 'AWS::KMS::Key', 'BusKey');
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'test-ninja-events.fifo',
      FifoTopic: true,
      ContentBasedDeduplication: false,
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the queue and the DLQ: FIFO, names, 14 days, SSE, redrive after 5 receives', () => {
    const dlq = queueId('test-ninja-notifier-dlq.fifo');
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'test-ninja-notifier.fifo',
      FifoQueue: true,
      MessageRetentionPeriod: 14 * 86400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'test-ninja-notifier-dlq.fifo',
      FifoQueue: true,
      MessageRetentionPeriod: 14 * 86400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: Match.absent(),
    });
  });

  test("the queue hides a batch for 6x the notifier's timeout (Lambda's guidance)", () => {
    const notifier = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Handler === 'notifier',
    )!;
    const queue = template.findResources('AWS::SQS::Queue')[queueId('test-ninja-notifier.fifo')];
    expect(notifier.Properties.Timeout).toBe(30);
    expect(queue.Properties.VisibilityTimeout).toBe(6 * notifier.Properties.Timeout);
  });

  test('the subscription: raw delivery, filter on the event_type attribute', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      FilterPolicy: { event_type: ['ninja.order.created'] },
      FilterPolicyScope: Match.absent(), // MessageAttributes, the default
      Endpoint: { 'Fn::GetAtt': [queueId('test-ninja-notifier.fifo'), 'Arn'] },
    });
  });

  test('the queue takes messages from this topic only', () => {
    const topic = logicalId(template, 'AWS::SNS::Topic', 'BusEvents');
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId('test-ninja-notifier.fifo') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topic } } },
          }),
        ]),
      },
    });
  });

  test('TLS only, on the topic and on both queues', () => {
    const denyPlainText = Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    for (const type of ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy']) {
      template.resourceCountIs(type, 2); // SNS: events and alarms; SQS: the queue and the DLQ
      template.allResourcesProperties(type, { PolicyDocument: { Statement: Match.arrayWith([denyPlainText]) } });
    }
  });
});
