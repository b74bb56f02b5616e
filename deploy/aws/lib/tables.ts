// The six DynamoDB tables, exactly as src/storage/dynamodb/table_layout.hpp and `migrate` make
// them (names, keys, indexes, attribute types, TTL). CloudFormation owns them here: the functions
// never run `migrate`, so a drift between this file and the binary shows at the first request —
// test/tables.test.ts compares both with a copy of the README's layout table.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

const S = dynamodb.AttributeType.STRING;
const N = dynamodb.AttributeType.NUMBER;

interface Key {
  readonly name: string;
  readonly type: dynamodb.AttributeType;
}

interface IndexSpec {
  readonly name: string;
  readonly partition: Key;
  readonly sort: Key;
}

interface TableSpec {
  readonly partition: Key;
  readonly sort?: Key;
  readonly indexes: IndexSpec[];
  readonly ttl: boolean; // expires_at, epoch seconds
  readonly stream?: dynamodb.StreamViewType;
}

export type TableName = 'users' | 'orders' | 'idempotency' | 'outbox' | 'deliveries' | 'api_keys';

const ID: Key = { name: 'id', type: S };

const SPECS: Record<TableName, TableSpec> = {
  users: { partition: ID, indexes: [{ name: 'newest', partition: { name: 'kind', type: S }, sort: ID }], ttl: false },
  orders: {
    partition: ID,
    indexes: [
      { name: 'by_user', partition: { name: 'user_id', type: S }, sort: ID },
      { name: 'newest', partition: { name: 'kind', type: S }, sort: ID },
    ],
    ttl: false,
  },
  idempotency: { partition: ID, indexes: [], ttl: true },
  outbox: {
    partition: { name: 'subject', type: S },
    sort: ID,
    indexes: [{ name: 'unpublished', partition: { name: 'pending', type: S }, sort: ID }],
    ttl: true,
    // The relay's wake-up (PLAN.md §4): the keys carry the subject whose events to claim; the row
    // stays the truth, so the smallest view is enough.
    stream: dynamodb.StreamViewType.KEYS_ONLY,
  },
  deliveries: {
    partition: { name: 'event_id', type: S },
    sort: { name: 'channel', type: S },
    indexes: [
      { name: 'due', partition: { name: 'due', type: S }, sort: { name: 'next_attempt_at', type: N } },
      { name: 'dead', partition: { name: 'dead', type: S }, sort: { name: 'updated_at', type: N } },
      { name: 'by_order', partition: { name: 'order_id', type: S }, sort: { name: 'event_id', type: S } },
    ],
    ttl: true,
  },
  api_keys: { partition: ID, indexes: [], ttl: false },
};

export const TABLE_NAMES = Object.keys(SPECS) as TableName[];

export function indexNames(table: TableName): string[] {
  return SPECS[table].indexes.map((index) => index.name);
}

export class Tables extends Construct {
  readonly byName: Record<TableName, dynamodb.Table>;

  constructor(scope: Construct, id: string, prefix: string) {
    super(scope, id);
    const byName = {} as Record<TableName, dynamodb.Table>;
    for (const name of TABLE_NAMES) {
      const spec = SPECS[name];
      const table = new dynamodb.Table(this, name, {
        tableName: `${prefix}${name}`,
        partitionKey: spec.partition,
        sortKey: spec.sort,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        // Orders and users outlive the stack: `cdk destroy` leaves the tables (and the names taken).
        removalPolicy: RemovalPolicy.RETAIN,
        timeToLiveAttribute: spec.ttl ? 'expires_at' : undefined,
        stream: spec.stream,
      });
      for (const index of spec.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: index.partition,
          sortKey: index.sort,
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      byName[name] = table;
    }
    this.byName = byName;
  }

  get all(): dynamodb.Table[] {
    return TABLE_NAMES.map((name) => this.byName[name]);
  }
}
