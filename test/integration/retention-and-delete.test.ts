import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCreationIndex } from '#adapters/creation-index';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { s3ImageStore } from '#adapters/s3-image-store';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import type { Customer, StoredCredential } from '#domain/customer';
import { imageKey } from '#domain/journey';
import { sha256 } from '#domain/secrets';
import { CustomerSettings } from '#domain/settings';
import type { Transaction } from '#domain/transaction';
import { runRetention } from '#use-cases/retention';
import { deleteScan } from '#use-cases/scans';
import { ensureBucket, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';
import { APPROVED, transactionFixture } from '../unit/transaction-fixtures.ts';
import { freshTable, manualClock } from './fixtures.ts';

/**
 * Delete and retention against the real local DynamoDB and S3: the images' bytes are gone from the
 * bucket, the record keeps no personal data, and what the customer keeps (forever, or fraud) stays.
 */

const DAY = 24 * 60 * 60 * 1000;
let table: Awaited<ReturnType<typeof freshTable>>;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  table = await freshTable();
  const endpoint = inject('s3Endpoint');
  bucket = `test-${randomUUID()}`;
  await ensureBucket(endpoint, bucket);
  s3 = new S3Client({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
});

import { inject } from 'vitest';

async function objectsUnder(prefix: string): Promise<string[]> {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return Contents.map((object) => object.Key ?? '');
}

function system() {
  const clock = manualClock(new Date('2026-11-22T10:00:00.000Z'));
  return {
    clock,
    customers: dynamoCustomerRepository(table.db, table.tableName, clock),
    transactions: dynamoTransactionRepository(table.db, table.tableName, clock),
    index: dynamoCreationIndex(table.db, table.tableName),
    images: s3ImageStore(s3, bucket),
  };
}

async function customer(
  deps: ReturnType<typeof system>,
  settings: Record<string, unknown>,
): Promise<Customer> {
  const customerId = randomUUID();
  const value: Customer = {
    customerId,
    name: 'Bank',
    settings: CustomerSettings.parse(settings),
    createdAt: '2025-01-01T00:00:00.000Z',
  };
  const credential: StoredCredential = {
    tokenHash: sha256(randomUUID()),
    secretHash: sha256('secret'),
    customerId,
    tokenHint: 'ovk_x',
    createdAt: value.createdAt,
  };
  await deps.customers.create(value, credential);
  return value;
}

/** A finished transaction of the customer, created `daysAgo`, with its front image in the bucket. */
async function finished(
  deps: ReturnType<typeof system>,
  owner: Customer,
  daysAgo: number,
  outcome = APPROVED,
): Promise<Transaction> {
  const reference = randomUUID();
  const createdAt = new Date(deps.clock.now().getTime() - daysAgo * DAY).toISOString();
  const key = imageKey(reference, 'front', randomUUID());
  await deps.images.put(key, Buffer.from('jpeg bytes'), 'image/jpeg');
  const transaction = transactionFixture({
    reference,
    customerId: owner.customerId,
    createdAt,
    state: 'DONE',
    outcome,
    options: { ...transactionFixture().options, retentionDays: owner.settings.retentionDays },
    captures: { front: { key, contentType: 'image/jpeg', source: 'upload', acceptedAt: createdAt } },
  });
  await deps.transactions.create(transaction);
  return transaction;
}

describe('retention', () => {
  it("purges what falls outside the customer's period, images first; keeps what is inside, fraud and forever", async () => {
    const deps = system();
    const thirty = await customer(deps, { retentionDays: 30 });
    const forever = await customer(deps, { retentionDays: 'forever' });
    const old = await finished(deps, thirty, 31);
    const recent = await finished(deps, thirty, 29);
    const fraud = await finished(deps, thirty, 40, { verificationStatus: 'DENIED_FRAUD' });
    const kept = await finished(deps, forever, 4000);

    const result = await runRetention({ ...deps, customers: deps.customers });
    expect(result.purged).toBe(1);
    expect(await objectsUnder(`tx/${old.reference}/`)).toEqual([]);
    expect(await deps.transactions.get(old.reference)).toBeUndefined();
    for (const stays of [recent, fraud, kept]) {
      expect(await objectsUnder(`tx/${stays.reference}/`)).toHaveLength(1);
      expect(await deps.transactions.get(stays.reference)).toBeDefined();
    }
  });

  it('shortening the period purges, at the next run, what now falls outside it', async () => {
    const deps = system();
    const owner = await customer(deps, { retentionDays: 360 });
    const transaction = await finished(deps, owner, 100);
    expect((await runRetention(deps)).purged).toBe(0);
    await deps.customers.updateSettings(owner.customerId, CustomerSettings.parse({ retentionDays: 90 }));
    await runRetention(deps);
    expect(await objectsUnder(`tx/${transaction.reference}/`)).toEqual([]);
    expect(await deps.transactions.get(transaction.reference)).toBeUndefined();
  });
});

describe('delete', () => {
  it('removes the image bytes from the bucket at once, and every personal value from the record', async () => {
    const deps = system();
    const owner = await customer(deps, {});
    const transaction = await finished(deps, owner, 1);
    expect(await objectsUnder(`tx/${transaction.reference}/`)).toHaveLength(1);
    await deleteScan(deps, owner, transaction.reference);
    expect(await objectsUnder(`tx/${transaction.reference}/`)).toEqual([]);
    expect(await deps.transactions.get(transaction.reference)).toBeUndefined();
    const { Item } = await table.db.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { pk: `TX#${transaction.reference}`, sk: 'TRANSACTION' },
      }),
    );
    expect(JSON.stringify(Item)).not.toMatch(/user_1234|transaction_1234|P1234567|MUSTER/);
  });
});
