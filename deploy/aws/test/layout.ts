// A copy of the README's table layout ("AWS-native", and src/storage/dynamodb/table_layout.hpp),
// written out by hand, NOT derived from lib/tables.ts: the tests compare the stack with this, so
// a change on either side alone fails them.
export interface Key {
  readonly name: string;
  readonly type: 'S' | 'N';
}
export interface Index {
  readonly name: string;
  readonly hash: Key;
  readonly range: Key;
}
export interface TableLayout {
  readonly name: string;
  readonly hash: Key;
  readonly range?: Key;
  readonly indexes: Index[];
  readonly ttl: boolean;
  readonly stream?: 'KEYS_ONLY';
}

const s = (name: string): Key => ({ name, type: 'S' });
const n = (name: string): Key => ({ name, type: 'N' });

export const LAYOUT: TableLayout[] = [
  { name: 'users', hash: s('id'), indexes: [{ name: 'newest', hash: s('kind'), range: s('id') }], ttl: false },
  {
    name: 'orders',
    hash: s('id'),
    indexes: [
      { name: 'by_user', hash: s('user_id'), range: s('id') },
      { name: 'newest', hash: s('kind'), range: s('id') },
    ],
    ttl: false,
  },
  { name: 'idempotency', hash: s('id'), indexes: [], ttl: true },
  {
    name: 'outbox',
    hash: s('subject'),
    range: s('id'),
    indexes: [{ name: 'unpublished', hash: s('pending'), range: s('id') }],
    ttl: true,
    stream: 'KEYS_ONLY',
  },
  {
    name: 'deliveries',
    hash: s('event_id'),
    range: s('channel'),
    indexes: [
      { name: 'due', hash: s('due'), range: n('next_attempt_at') },
      { name: 'dead', hash: s('dead'), range: n('updated_at') },
      { name: 'by_order', hash: s('order_id'), range: s('event_id') },
    ],
    ttl: true,
  },
  { name: 'api_keys', hash: s('id'), indexes: [], ttl: false },
];
