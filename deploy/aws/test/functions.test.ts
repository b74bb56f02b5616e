// The three functions: one code asset, provided.al2023, the handler names the bootstrap passes
// on, architecture from context, the environment the binary reads, tracing, logs, timeouts.
import { synth } from './synth';

type Resource = { Properties: Record<string, any> };

function functions(template: ReturnType<typeof synth>['template']): Record<string, Resource> {
  const byHandler: Record<string, Resource> = {};
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    byHandler[fn.Properties.Handler] = fn as Resource;
  }
  return byHandler;
}

describe('functions', () => {
  const { template } = synth({ prefix: 'test-' });
  const byHandler = functions(template);

  test('exactly api, relay and notifier, from one asset', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    expect(Object.keys(byHandler).sort()).toEqual(['api', 'notifier', 'relay']);
    const keys = new Set(Object.values(byHandler).map((fn) => JSON.stringify(fn.Properties.Code)));
    expect(keys.size).toBe(1);
  });

  test.each([
    ['api', 10],
    ['relay', 30],
    ['notifier', 30],
  ])('%s: provided.al2023 on x86_64, 256 MB, %i s, active tracing, text logs', (handler, timeout) => {
    const p = byHandler[handler].Properties;
    expect(p.Runtime).toBe('provided.al2023');
    expect(p.Architectures).toEqual(['x86_64']);
    expect(p.MemorySize).toBe(256);
    expect(p.Timeout).toBe(timeout);
    expect(p.TracingConfig).toEqual({ Mode: 'Active' });
    expect(p.LoggingConfig).toEqual({ LogFormat: 'Text', LogGroup: { Ref: expect.stringMatching(/Logs/) } });
  });

  test.each(['api', 'relay', 'notifier'])('%s: the environment of serve, for the prefix', (handler) => {
    const env = byHandler[handler].Properties.Environment.Variables;
    const url = (scheme: string) => ({ 'Fn::Join': ['', [`${scheme}://`, { Ref: 'AWS::Region' }, '?prefix=test-']] });
    expect(env.NINJA_ORDERS_STORE).toEqual(url('dynamodb'));
    if (handler !== 'relay') expect(env.NINJA_ORDERS_BUS).toEqual(url('sns'));
    expect(env.NINJA_ORDERS_AUTH).toBeUndefined(); // `lambda` checks no key: API Gateway's usage plan does
    expect(env.NINJA_ORDERS_LOG_LEVEL).toBe('info');
  });

  test('only the relay, the publisher, is told the topic ARN (in its bus URL: no CreateTopic)', () => {
    const topic = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('BusEvents'));
    expect(byHandler.relay.Properties.Environment.Variables.NINJA_ORDERS_BUS).toEqual({
      'Fn::Join': ['', ['sns://', { Ref: 'AWS::Region' }, '?prefix=test-&topic_arn=', { Ref: topic }]],
    });
    for (const handler of ['api', 'notifier']) {
      expect(JSON.stringify(byHandler[handler].Properties.Environment.Variables)).not.toContain('topic_arn');
    }
  });

  test('each function has its own role and its own log group with the retention', () => {
    const roles = new Set(Object.values(byHandler).map((fn) => JSON.stringify(fn.Properties.Role)));
    const groups = new Set(Object.values(byHandler).map((fn) => fn.Properties.LoggingConfig.LogGroup.Ref));
    expect(roles.size).toBe(3);
    expect(groups.size).toBe(3);
    for (const group of groups) {
      expect(template.findResources('AWS::Logs::LogGroup')[group].Properties.RetentionInDays).toBe(14);
    }
  });

  test('scheduled (asynchronous) calls are not retried: the next minute brings the next one', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.allResourcesProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  test('context: architecture arm64, memory, log retention', () => {
    const other = synth({ architecture: 'arm64', memoryMb: '512', logRetentionDays: '30' }).template;
    other.allResourcesProperties('AWS::Lambda::Function', { Architectures: ['arm64'], MemorySize: 512 });
    other.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(() => synth({ architecture: 'sparc' })).toThrow(/architecture/);
    expect(() => synth({ logRetentionDays: '10' })).toThrow(/logRetentionDays/);
  });

  test('a missing asset fails with what to do', () => {
    expect(() => synth({ lambdaAsset: 'no/such/bootstrap.zip' })).toThrow(/make lambda/);
  });

  test('no function role has a managed policy (AWSLambdaBasicExecutionRole would allow every log group)', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const fn of Object.values(byHandler)) {
      const role = roles[fn.Properties.Role['Fn::GetAtt'][0]];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } }),
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
