import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The single table. Items, by key (`pk`, `sk`):
 *
 *   CUSTOMER#<id>          PROFILE       the customer and its settings
 *   CUSTOMER#<id>          CREDENTIAL#<h> a credential listed under its customer (for rotation)
 *   CREDENTIAL#<h>         CREDENTIAL    the same credential, found by its token's digest (for auth)
 *   TX#<reference>         TRANSACTION   a transaction, with its authorization token's digest
 *
 * `expiresAt` (epoch seconds) is the table's TTL attribute. DynamoDB deletes expired items lazily,
 * so every read checks expiry itself.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * A sparse index of the transactions that will drop off if nothing happens, by the minute they are
 * due (`dueBucket`, `DUE#2026-11-27T12:34`): the drop-off job reads one minute at a time, without a
 * scan and without waiting for TTL, which may lag by days.
 */
export const DUE_INDEX = { name: 'due', partition: 'dueBucket', sort: 'pk' } as const;
export const dueBucketKey = (bucket: string): string => `DUE#${bucket}`;

/**
 * Live transactions by customer and creation time (`customerKey`, `CUSTOMER#<id>`; `createdAt`), for
 * the retention job; an erased transaction leaves the index.
 */
export const CREATED_INDEX = { name: 'created', partition: 'customerKey', sort: 'createdAt' } as const;
export const customerIndexKey = (customerId: string): string => `CUSTOMER#${customerId}`;
export const KEY = { partition: 'pk', sort: 'sk' } as const;

export interface DynamoConfig {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
}

/**
 * The table's client. Credentials come from the environment (the function's role in AWS) unless
 * given: the admin CLI gives the local stack's own, which DynamoDB Local keys its database on.
 */
export function documentClient(
  config: DynamoConfig,
  credentials?: DynamoDBClientConfig['credentials'],
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    ...(credentials ? { credentials } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export const toEpochSeconds = (epochMs: number): number => Math.ceil(epochMs / 1000);

/** Every item a query matches, page after page, up to `limit` items. */
export async function queryAll(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  limit = Number.POSITIVE_INFINITY,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        ...input,
        ExclusiveStartKey: start,
        ...(Number.isFinite(limit) ? { Limit: limit - items.length } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items;
}

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** DynamoDB's limits: keys a BatchGetItem reads, items a BatchWriteItem writes. */
const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
/** Rounds for what DynamoDB leaves unprocessed under throttling, with a growing pause between. */
const UNPROCESSED_ROUNDS = 8;

const pause = (round: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));

/**
 * The items under these keys (one table), in as few BatchGetItem calls as the limits allow; what
 * DynamoDB leaves unprocessed is asked again. Absent items are simply not in the answer.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  options: { consistentRead?: boolean; projection?: string } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  // One read per key: a batch that names a key twice is refused whole.
  const unique = [
    ...new Map(keys.map((key) => [`${key[KEY.partition]}\u0000${key[KEY.sort]}`, key])).values(),
  ];
  for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
    let pending: Key[] = unique.slice(start, start + BATCH_GET_KEYS);
    for (let round = 0; pending.length > 0; round++) {
      if (round === UNPROCESSED_ROUNDS) throw new Error(`BatchGetItem left ${pending.length} keys unread`);
      if (round > 0) await pause(round);
      const answer = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: options.consistentRead === true,
              ...(options.projection ? { ProjectionExpression: options.projection } : {}),
            },
          },
        }),
      );
      items.push(...(answer.Responses?.[tableName] ?? []));
      pending = (answer.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
  }
  return items;
}

/** Puts these items (one table) in as few BatchWriteItem calls as the limits allow, retrying the unprocessed. */
export async function batchPutAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
): Promise<void> {
  // One write per key: a batch that names a key twice is refused whole.
  const unique = [
    ...new Map(items.map((item) => [`${item[KEY.partition]}\u0000${item[KEY.sort]}`, item])).values(),
  ];
  for (let start = 0; start < unique.length; start += BATCH_WRITE_ITEMS) {
    let pending = unique.slice(start, start + BATCH_WRITE_ITEMS).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; pending.length > 0; round++) {
      if (round === UNPROCESSED_ROUNDS)
        throw new Error(`BatchWriteItem left ${pending.length} items unwritten`);
      if (round > 0) await pause(round);
      const answer = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (answer.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
