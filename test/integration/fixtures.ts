import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { documentClient } from '#adapters/dynamodb';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';

/**
 * A fresh table on the run's DynamoDB Local, and a document client for it. TTL is off unless asked
 * for: DynamoDB Local deletes expired items by the real clock, in the background, which would make
 * fixtures dated in the past vanish at some moment of a run. The adapters never rely on TTL deletion
 * (they read a record past its time as gone themselves), so the tests lose nothing.
 */
export async function freshTable({ ttl = false }: { ttl?: boolean } = {}) {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `test-${randomUUID()}`;
  await ensureTable(endpoint, tableName, { ttl });
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  const db = documentClient({ AWS_REGION: LOCAL_REGION, DYNAMODB_ENDPOINT: endpoint });
  return { endpoint, tableName, db };
}

/**
 * A clock the test moves by hand. It starts at a fixed instant, whatever the machine's clock says:
 * the fixtures are dated 2026-11-22, and a stored time is only ever compared with this clock.
 */
export function manualClock(start = new Date('2026-11-22T10:00:00.000Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
    set(epochMs: number) {
      now = epochMs;
    },
  };
}
