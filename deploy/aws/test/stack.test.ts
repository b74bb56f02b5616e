// The stack as a whole: resource counts (as the original's tests/infrastructure/test_cdk.py
// counted its APIs and tables), the outputs the e2e suite reads, the stack name, context checks.
import { App, Token } from 'aws-cdk-lib';
import { configFromContext, DEFAULTS } from '../lib/config';
import { synth } from './synth';

describe('stack', () => {
  const { template, stack } = synth();

  test('one REST API and six tables (the original: two and four)', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 6);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 12);
  });

  test('outputs: ApiUrl and the original names for it, the key id, tables, topic, queues, alarm topic', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    // RestApi adds its own endpoint output (the same URL) and has no option to leave it out.
    const own = Object.keys(outputs).filter((name) => name.startsWith('ApiRestEndpoint'));
    expect(own).toHaveLength(1);
    expect(outputs[own[0]].Value).toEqual(outputs.ApiUrl.Value);
    expect(Object.keys(outputs).filter((name) => !own.includes(name)).sort()).toEqual(
      [
        'ApiUrl',
        'OrdersApigateway',
        'UsersApigateway',
        'ApiKeyId',
        'UsersTable',
        'OrdersTable',
        'IdempotencyTable',
        'OutboxTable',
        'DeliveriesTable',
        'ApiKeysTable',
        'EventsTopicArn',
        'NotifierQueueUrl',
        'NotifierDeadLetterQueueUrl',
        'AlarmTopicArn',
      ].sort(),
    );
    expect(outputs.OrdersApigateway.Value).toEqual(outputs.ApiUrl.Value);
    expect(outputs.UsersApigateway.Value).toEqual(outputs.ApiUrl.Value);
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('execute-api');
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('DeploymentStageprod');
  });

  test('environment-agnostic: no account or region fixed, nothing looked up', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    expect(JSON.stringify(template.toJSON())).toContain('"Ref":"AWS::Region"');
  });

  test('the stack name follows the prefix unless given', () => {
    expect(stack.stackName).toBe('ninja-orders');
    const name = (context: Record<string, unknown>) => configFromContext(new App({ context }).node).stackName;
    expect(name({ prefix: 'dev_' })).toBe('dev-orders');
    expect(name({ prefix: 'dev-', stackName: 'NinjaDev' })).toBe('NinjaDev');
    expect(() => name({ prefix: '9-' })).toThrow(/stackName/);
  });

  test('context is checked: prefixes the binary would refuse fail the synth', () => {
    const config = (context: Record<string, unknown>) => configFromContext(new App({ context }).node);
    expect(config({})).toMatchObject({ prefix: 'ninja-', rateLimit: DEFAULTS.rateLimit, burstLimit: 10 });
    expect(config({ prefix: '' }).prefix).toBe('');
    expect(() => config({ prefix: 'a.b' })).toThrow(/prefix/);
    expect(() => config({ prefix: 'x'.repeat(41) })).toThrow(/prefix/);
    expect(() => config({ memoryMb: '64' })).toThrow(/memoryMb/);
    expect(() => config({ apiAccountRole: 'yes' })).toThrow(/apiAccountRole/);
  });
});
