// Every alarm: its metric, statistic, period, threshold, comparison and missing-data rule, and
// that it reaches the encrypted alarm topic (and the email, when one is given).
import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synth } from './synth';

describe('alarms', () => {
  const { template } = synth({ prefix: 'test-' });
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  const byName = (name: string) => {
    const found = Object.values(alarms).filter((a) => a.Properties.AlarmName === `test-${name}`);
    expect(found).toHaveLength(1);
    return found[0].Properties;
  };
  const fnId = (handler: string) =>
    Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]) => f.Properties.Handler === handler)![0];

  test('twelve alarms, each to the alarm topic when it fires and when it clears', () => {
    expect(Object.keys(alarms)).toHaveLength(12);
    const topic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'AlarmsTopic') };
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
      expect(alarm.Properties.EvaluationPeriods).toBe(1);
    }
  });

  test('DelayedOrderCreate: the outbox lag (the sweep\'s EMF metric), max >= 60 s in a minute', () => {
    expect(byName('DelayedOrderCreate')).toMatchObject({
      Namespace: 'NinjaOrders',
      MetricName: 'OutboxOldestPendingAgeSeconds',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(byName('DelayedOrderCreate').Dimensions).toBeUndefined();
  });

  test('SweeperStopped: no lag sample in 5 minutes, and silence is breaching', () => {
    expect(byName('SweeperStopped')).toMatchObject({
      Namespace: 'NinjaOrders',
      MetricName: 'OutboxOldestPendingAgeSeconds',
      Statistic: 'SampleCount',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('NotifierDeadLetters: anything visible in the DLQ', () => {
    const dlq = Object.entries(template.findResources('AWS::SQS::Queue')).find(
      ([, q]) => q.Properties.QueueName === 'test-ninja-notifier-dlq.fifo',
    )![0];
    expect(byName('NotifierDeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('Api5xxRate and ApiLatencyP99 on the REST API (p99 threshold from context)', () => {
    const api = { Name: 'ApiName', Value: 'test-ninja-orders' };
    expect(byName('Api5xxRate')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: [api],
      Statistic: 'Average',
      Period: 300,
      Threshold: 0.01,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(byName('ApiLatencyP99')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [api],
      ExtendedStatistic: 'p99',
      Threshold: 1000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test.each(['api', 'relay', 'notifier'])('%s: errors and throttles, any in 5 minutes', (handler) => {
    for (const metric of ['Errors', 'Throttles']) {
      expect(byName(`${handler}${metric}`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(handler) } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  test("RelayIteratorAge: the stream mapping a minute behind", () => {
    expect(byName('RelayIteratorAge')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('relay') } }],
      Statistic: 'Maximum',
      Threshold: 60000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('the alarm topic: KMS-encrypted with a key CloudWatch may use; email only when asked for', () => {
    const key = logicalId(template, 'AWS::KMS::Key', 'AlarmsKey');
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'test-ninja-orders-alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
    expect(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })).toEqual({});

    const withEmail = synth({ alarmEmail: 'oncall@example.com', latencyP99Ms: '2500' }).template;
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    withEmail.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'ninja-ApiLatencyP99', Threshold: 2500 });
    expect(() => synth({ alarmEmail: 'not-an-address' })).toThrow(/alarmEmail/);
  });
});
