// What invokes the relay and the notifier: the outbox stream and the queue (event source
// mappings), and the two once-a-minute rules with the payloads the binary recognises.
import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synth } from './synth';

describe('triggers', () => {
  const { template } = synth();
  const fnId = (handler: string) =>
    Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]) => f.Properties.Handler === handler)![0];

  test('two mappings only: the stream to the relay, the queue to the notifier', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  });

  test('relay <- the outbox stream: INSERTs only, from the trim horizon, bisect, 10 retries, 1 h, partial failures', () => {
    const outbox = logicalId(template, 'AWS::DynamoDB::Table', 'Tablesoutbox');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('relay') },
      EventSourceArn: { 'Fn::GetAtt': [outbox, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('notifier <- its queue: batches of 10 with partial batch responses, no batching window', () => {
    const queue = Object.entries(template.findResources('AWS::SQS::Queue')).find(
      ([, q]) => q.Properties.QueueName === 'ninja-ninja-notifier.fifo',
    )![0];
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('notifier') },
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  test.each([
    ['relay', { ninja: 'sweep' }],
    ['notifier', { ninja: 'retry-due' }],
  ])('%s: every minute with %j', (handler, payload) => {
    const fn = fnId(handler);
    const rules = Object.entries(template.findResources('AWS::Events::Rule')).filter(([, r]) =>
      r.Properties.Targets.some((t: any) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] })),
    );
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0];
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(JSON.parse(rule.Properties.Targets[0].Input)).toEqual(payload);
    // A call EventBridge could not hand over within the minute is superseded by the next one.
    expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 });
    // Invoked through the function's resource policy, for this rule only.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  test('the api has no schedule and no mapping', () => {
    const api = fnId('api');
    const invoked = JSON.stringify([
      template.findResources('AWS::Events::Rule'),
      template.findResources('AWS::Lambda::EventSourceMapping'),
    ]);
    expect(invoked).not.toContain(`"${api}"`);
  });
});
