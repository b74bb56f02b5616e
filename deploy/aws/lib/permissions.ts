// Least privilege, action by action: what each function's code path really calls (read from
// src/storage/dynamodb/ and src/events/sns/), granted on its own tables and indexes only. No
// grantReadWriteData: that would add BatchWriteItem, Scan and the rest the binary never sends.
//
// TransactWriteItems has no IAM action of its own: DynamoDB authorizes each part as the
// PutItem, UpdateItem, DeleteItem or ConditionCheckItem it is.
import * as iam from 'aws-cdk-lib/aws-iam';
import { Bus } from './bus';
import { Functions, Handler } from './functions';
import { TableName, Tables } from './tables';

export interface TableAccess {
  readonly table: TableName;
  readonly actions: string[]; // on the table itself
  readonly indexes?: Record<string, string[]>; // index name → actions on it
}

export const TABLE_ACCESS: Record<Handler, TableAccess[]> = {
  api: [
    // find (GetItem; also /readyz's probe), create (transaction: Put of the user and of its email
    // claim), delete (consistent GetItem, then Deletes of both), an order's user check
    // (ConditionCheck), the list newest first.
    {
      table: 'users',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
      indexes: { newest: ['dynamodb:Query'] },
    },
    {
      table: 'orders',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      indexes: { by_user: ['dynamodb:Query'], newest: ['dynamodb:Query'] },
    },
    // Idempotency-Key: the record goes into the create's transaction; a replay reads it back.
    // DynamoDB's TTL expires records, so no Scan or DeleteItem (serve runs no purge on DynamoDB).
    { table: 'idempotency', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
    // The outbox event is written in the same transaction as the entity; the api never reads it.
    { table: 'outbox', actions: ['dynamodb:PutItem'] },
    // GET /v1/orders/{id}/notifications.
    { table: 'deliveries', actions: [], indexes: { by_order: ['dynamodb:Query'] } },
  ],
  relay: [
    // Claims: a consistent Query of one subject's partition, or of the `unpublished` index (the
    // sweep, the lag metric); the lease and the published mark are conditional UpdateItems.
    { table: 'outbox', actions: ['dynamodb:Query', 'dynamodb:UpdateItem'], indexes: { unpublished: ['dynamodb:Query'] } },
  ],
  notifier: [
    // The webhook URL and secret of the order's user.
    { table: 'users', actions: ['dynamodb:GetItem'] },
    // Intake (a transaction of conditional Puts), each attempt's record (PutItem), claims of due
    // retries (UpdateItem after a Query of `due`, which also finds the next due time).
    { table: 'deliveries', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], indexes: { due: ['dynamodb:Query'] } },
  ],
};

export function grantTableAccess(tables: Tables, functions: Functions): void {
  for (const [handler, accesses] of Object.entries(TABLE_ACCESS) as [Handler, TableAccess[]][]) {
    const role = functions.roles[handler];
    for (const access of accesses) {
      const table = tables.byName[access.table];
      if (access.actions.length > 0) {
        role.addToPolicy(new iam.PolicyStatement({ actions: access.actions, resources: [table.tableArn] }));
      }
      for (const [index, actions] of Object.entries(access.indexes ?? {})) {
        role.addToPolicy(new iam.PolicyStatement({ actions, resources: [`${table.tableArn}/index/${index}`] }));
      }
    }
  }
}

// The relay is the only publisher. SNS encrypts with the bus's key, so publishing needs a data
// key from it (GenerateDataKey) and the right to use it (Decrypt), on that key alone.
export function grantPublish(bus: Bus, functions: Functions): void {
  const role = functions.roles.relay;
  role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [bus.topic.topicArn] }));
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [bus.key.keyArn] }),
  );
}
