// Least privilege, walked over the template: every statement of every function's policies, as
// "action on resource" pairs, must be exactly the list below — written by hand from what the
// binary calls (src/storage/dynamodb/, src/events/sns/), not from lib/permissions.ts.
import { synth } from './synth';

const XRAY = ['xray:PutTelemetryRecords @ *', 'xray:PutTraceSegments @ *'];
const LOGS = ['logs:CreateLogStream @ own log group', 'logs:PutLogEvents @ own log group'];

const EXPECTED: Record<string, string[]> = {
  api: [
    ...LOGS,
    ...XRAY,
    'dynamodb:ConditionCheckItem @ table users',
    'dynamodb:DeleteItem @ table users',
    'dynamodb:GetItem @ table users',
    'dynamodb:PutItem @ table users',
    'dynamodb:Query @ index users/newest',
    'dynamodb:DeleteItem @ table orders',
    'dynamodb:GetItem @ table orders',
    'dynamodb:PutItem @ table orders',
    'dynamodb:Query @ index orders/by_user',
    'dynamodb:Query @ index orders/newest',
    'dynamodb:GetItem @ table idempotency',
    'dynamodb:PutItem @ table idempotency',
    'dynamodb:PutItem @ table outbox',
    'dynamodb:Query @ index deliveries/by_order',
  ],
  relay: [
    ...LOGS,
    ...XRAY,
    'dynamodb:ListStreams @ *',
    'dynamodb:DescribeStream @ stream outbox',
    'dynamodb:GetRecords @ stream outbox',
    'dynamodb:GetShardIterator @ stream outbox',
    'dynamodb:Query @ table outbox',
    'dynamodb:UpdateItem @ table outbox',
    'dynamodb:Query @ index outbox/unpublished',
    'sns:Publish @ topic ninja-events.fifo',
    'kms:Decrypt @ key of ninja-events.fifo',
    'kms:GenerateDataKey @ key of ninja-events.fifo',
  ],
  notifier: [
    ...LOGS,
    ...XRAY,
    'dynamodb:GetItem @ table users',
    'dynamodb:PutItem @ table deliveries',
    'dynamodb:UpdateItem @ table deliveries',
    'dynamodb:Query @ index deliveries/due',
    'sqs:ChangeMessageVisibility @ queue ninja-notifier.fifo',
    'sqs:DeleteMessage @ queue ninja-notifier.fifo',
    'sqs:GetQueueAttributes @ queue ninja-notifier.fifo',
    'sqs:GetQueueUrl @ queue ninja-notifier.fifo',
    'sqs:ReceiveMessage @ queue ninja-notifier.fifo',
  ],
};

describe('iam', () => {
  const { template } = synth({ prefix: 'p-' });
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  const roleOf = (handler: string) => functions.find((f) => f.Properties.Handler === handler)!.Properties.Role['Fn::GetAtt'][0];
  const logGroupOf = (handler: string) =>
    functions.find((f) => f.Properties.Handler === handler)!.Properties.LoggingConfig.LogGroup.Ref;
  const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy');

  // A resource of the template as a readable name ("table users", "index orders/by_user").
  function describe_(resource: any, handler: string): string {
    if (resource === '*') return '*';
    const join = resource['Fn::Join'];
    if (join) {
      const [base, suffix] = join[1];
      const index = /^\/index\/(.+)$/.exec(suffix);
      if (!index) return JSON.stringify(resource);
      return `index ${describe_(base, handler).replace(/^table /, '')}/${index[1]}`;
    }
    const [id, attribute] = resource['Fn::GetAtt'] ?? [resource.Ref, 'Ref'];
    const target = resources[id];
    if (!target) return JSON.stringify(resource);
    const p = target.Properties;
    switch (target.Type) {
      case 'AWS::DynamoDB::Table':
        return `${attribute === 'StreamArn' ? 'stream' : 'table'} ${p.TableName.replace(/^p-/, '')}`;
      case 'AWS::SNS::Topic':
        return `topic ${p.TopicName.replace(/^p-/, '')}`;
      case 'AWS::SQS::Queue':
        return `queue ${p.QueueName.replace(/^p-/, '')}`;
      case 'AWS::Logs::LogGroup':
        return id === logGroupOf(handler) ? 'own log group' : `log group ${id}`;
      case 'AWS::KMS::Key': {
        const topic = Object.values(resources).find(
          (r) => r.Type === 'AWS::SNS::Topic' && r.Properties.KmsMasterKeyId?.['Fn::GetAtt']?.[0] === id,
        );
        return `key of ${topic ? topic.Properties.TopicName.replace(/^p-/, '') : id}`;
      }
      default:
        return JSON.stringify(resource);
    }
  }

  function grants(handler: string): string[] {
    const role = roleOf(handler);
    const pairs: string[] = [];
    for (const policy of policies.filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.Condition).toBeUndefined();
        for (const action of [statement.Action].flat()) {
          for (const resource of [statement.Resource].flat()) pairs.push(`${action} @ ${describe_(resource, handler)}`);
        }
      }
    }
    return pairs.sort();
  }

  test.each(Object.keys(EXPECTED))('%s: exactly what its code path calls, on its own resources', (handler) => {
    expect(grants(handler)).toEqual([...EXPECTED[handler]].sort());
  });

  test('no statement anywhere has a wildcard action, and only X-Ray and ListStreams a "*" resource', () => {
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
        if ([statement.Resource].flat().includes('*')) {
          for (const action of [statement.Action].flat()) {
            expect(['xray:PutTelemetryRecords', 'xray:PutTraceSegments', 'dynamodb:ListStreams']).toContain(action);
          }
        }
      }
    }
  });

  test('the policies attach to the function roles only (the API and backup roles use AWS managed ones)', () => {
    const functionRoles = ['api', 'relay', 'notifier'].map(roleOf).sort();
    const attached = policies.flatMap((p) => p.Properties.Roles.map((r: any) => r.Ref)).sort();
    expect(attached).toEqual(functionRoles);
    const roles = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(5);
    for (const [id, role] of roles) {
      if (functionRoles.includes(id)) continue;
      expect(role.Properties.Policies).toBeUndefined();
      const managed = JSON.stringify(role.Properties.ManagedPolicyArns);
      expect(managed).toMatch(/AmazonAPIGatewayPushToCloudWatchLogs|AWSBackupServiceRolePolicyForBackup/);
    }
  });

  test('no function may touch another table: api_keys is nobody\'s (auth none in Lambda)', () => {
    const all = Object.keys(EXPECTED).flatMap(grants).join('\n');
    expect(all).not.toMatch(/api_keys/);
    expect(all).not.toMatch(/dynamodb:(Scan|BatchWriteItem|BatchGetItem|CreateTable|DeleteTable|UpdateTable|Describe(Table|TimeToLive|ContinuousBackups))\b/);
    expect(all).not.toMatch(/sns:(CreateTopic|Subscribe)|sqs:(CreateQueue|SetQueueAttributes|SendMessage)/);
  });
});
