// The six tables against the README's layout (test/layout.ts): names with the prefix, keys,
// attribute types, indexes (projection ALL), on-demand billing, PITR, deletion protection,
// RETAIN, TTL and the outbox's stream.
import { Match } from 'aws-cdk-lib/assertions';
import { Index, LAYOUT, TableLayout } from './layout';
import { synth } from './synth';

function keySchema(hash: { name: string }, range?: { name: string }) {
  const schema = [{ AttributeName: hash.name, KeyType: 'HASH' }];
  if (range) schema.push({ AttributeName: range.name, KeyType: 'RANGE' });
  return schema;
}

// Every key attribute of the table and its indexes, each once, with its type.
function attributes(table: TableLayout) {
  const all = new Map<string, string>();
  for (const key of [table.hash, table.range, ...table.indexes.flatMap((i: Index) => [i.hash, i.range])]) {
    if (key) all.set(key.name, key.type);
  }
  return [...all].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

describe('tables', () => {
  const { template } = synth({ prefix: 'test-' });
  const tables = template.findResources('AWS::DynamoDB::Table');

  test('exactly the six of the layout, by physical name', () => {
    const names = Object.values(tables).map((t) => t.Properties.TableName).sort();
    expect(names).toEqual(LAYOUT.map((t) => `test-${t.name}`).sort());
  });

  test.each(LAYOUT.map((t) => [t.name, t] as const))('%s: keys, indexes, billing, PITR, TTL, stream', (_, table) => {
    const [resource] = Object.values(tables).filter((t) => t.Properties.TableName === `test-${table.name}`);
    const p = resource.Properties;
    expect(p.KeySchema).toEqual(keySchema(table.hash, table.range));
    expect(p.AttributeDefinitions).toEqual(expect.arrayContaining(attributes(table)));
    expect(p.AttributeDefinitions).toHaveLength(attributes(table).length);
    const indexes = (p.GlobalSecondaryIndexes ?? []).map((i: Record<string, unknown>) => i);
    expect(indexes).toEqual(
      expect.arrayContaining(
        table.indexes.map((i) => ({
          IndexName: i.name,
          KeySchema: keySchema(i.hash, i.range),
          Projection: { ProjectionType: 'ALL' },
        })),
      ),
    );
    expect(indexes).toHaveLength(table.indexes.length);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    if (table.ttl) {
      expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
    } else {
      expect(p.TimeToLiveSpecification).toBeUndefined();
    }
    expect(p.StreamSpecification).toEqual(table.stream ? { StreamViewType: table.stream } : undefined);
  });

  test('the default prefix is ninja-, and an empty one is allowed', () => {
    const names = (context: Record<string, unknown>) =>
      Object.values(synth(context).template.findResources('AWS::DynamoDB::Table'))
        .map((t) => t.Properties.TableName)
        .sort();
    expect(names({})).toContain('ninja-outbox');
    expect(names({ prefix: '' })).toEqual(LAYOUT.map((t) => t.name).sort());
  });

  test('no table is encrypted with a key of its own (DynamoDB encrypts at rest by default)', () => {
    template.allResourcesProperties('AWS::DynamoDB::Table', { SSESpecification: Match.absent() });
  });
});
