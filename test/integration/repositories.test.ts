import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import type { Customer, StoredCredential } from '#domain/customer';
import { Conflict } from '#domain/errors';
import { sha256 } from '#domain/secrets';
import { DEFAULT_SETTINGS, resolveOptions } from '#domain/settings';
import { submitRule } from '#domain/submit-rule';
import type { Transaction } from '#domain/transaction';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';
import { freshTable, manualClock } from './fixtures.ts';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});

const customer = (customerId: string): Customer => ({
  customerId,
  name: 'Bank',
  settings: DEFAULT_SETTINGS,
  createdAt: '2026-11-22T10:00:00.000Z',
});

const credential = (customerId: string, n: number): StoredCredential => ({
  tokenHash: sha256(`token-${customerId}-${n}`),
  secretHash: sha256(`secret-${n}`),
  customerId,
  tokenHint: `ovk_${n}`,
  createdAt: '2026-11-22T10:00:00.000Z',
});

describe('the table', () => {
  it('has TTL enabled on expiresAt, as the local stack creates it', async () => {
    const table = await freshTable({ ttl: true });
    const client = new DynamoDBClient({
      endpoint: table.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });
});

describe('customer repository', () => {
  it('stores a customer with its credential, found by the token digest', async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await repo.create(customer('c1'), credential('c1', 1));
    expect(await repo.get('c1')).toEqual(customer('c1'));
    expect(await repo.findCredential(credential('c1', 1).tokenHash)).toEqual(credential('c1', 1));
    expect(await repo.listCredentials('c1')).toEqual([credential('c1', 1)]);
    expect(await repo.findCredential(sha256('nobody'))).toBeUndefined();
  });

  it('refuses to create the same customer twice', async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await repo.create(customer('c2'), credential('c2', 1));
    await expect(repo.create(customer('c2'), credential('c2', 2))).rejects.toBeInstanceOf(Conflict);
    expect(await repo.findCredential(credential('c2', 2).tokenHash)).toBeUndefined();
  });

  it('rotates credentials at once: the old one is gone', async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await repo.create(customer('c3'), credential('c3', 1));
    await repo.rotateCredentials(credential('c3', 2), [credential('c3', 1)]);
    expect(await repo.findCredential(credential('c3', 1).tokenHash)).toBeUndefined();
    expect(await repo.listCredentials('c3')).toEqual([credential('c3', 2)]);
  });

  it('rotates with a grace period: the old one carries an expiry as its TTL attribute', async () => {
    const clock = manualClock();
    const repo = dynamoCustomerRepository(table.db, table.tableName, clock);
    await repo.create(customer('c4'), credential('c4', 1));
    const retireAt = clock.now().getTime() + 10 * 60_000;
    await repo.rotateCredentials(credential('c4', 2), [{ ...credential('c4', 1), expiresAt: retireAt }]);
    const old = await repo.findCredential(credential('c4', 1).tokenHash);
    expect(old?.expiresAt).toBe(Math.ceil(retireAt / 1000) * 1000);
    const { Item } = await table.db.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { pk: `CREDENTIAL#${credential('c4', 1).tokenHash}`, sk: 'CREDENTIAL' },
      }),
    );
    expect(Item?.expiresAt).toBe(Math.ceil(retireAt / 1000));
    expect((await repo.listCredentials('c4')).map((c) => c.tokenHint).sort()).toEqual(['ovk_1', 'ovk_2']);
  });

  it('lists a retired credential until the second its TTL names, and not from that instant on', async () => {
    const clock = manualClock();
    const repo = dynamoCustomerRepository(table.db, table.tableName, clock);
    await repo.create(customer('c10'), credential('c10', 1));
    // The store keeps whole seconds; the listed expiry is the stored one.
    const expiresAt = clock.now().getTime() + 10 * 60_000;
    await repo.rotateCredentials(credential('c10', 2), [{ ...credential('c10', 1), expiresAt }]);
    const hints = async () => (await repo.listCredentials('c10')).map((c) => c.tokenHint).sort();
    clock.set(expiresAt - 1);
    expect(await hints()).toEqual(['ovk_1', 'ovk_2']);
    clock.set(expiresAt);
    expect(await hints()).toEqual(['ovk_2']);
    clock.set(expiresAt + 1);
    expect(await hints()).toEqual(['ovk_2']);
  });

  it("never moves a token that is another customer's to a new customer or a rotation", async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await repo.create(customer('c5'), credential('c5', 1));
    const taken = { ...credential('c5', 1), customerId: 'c6' };
    await expect(repo.create(customer('c6'), taken)).rejects.toBeInstanceOf(Conflict);
    expect(await repo.get('c6')).toBeUndefined();
    await repo.create(customer('c7'), credential('c7', 1));
    await expect(
      repo.rotateCredentials({ ...credential('c5', 1), customerId: 'c7' }, [credential('c7', 1)]),
    ).rejects.toBeInstanceOf(Conflict);
    expect((await repo.findCredential(credential('c5', 1).tokenHash))?.customerId).toBe('c5');
    expect(await repo.findCredential(credential('c7', 1).tokenHash)).toBeDefined();
  });

  it('reads settings stored before a setting existed with that setting’s default', async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await repo.create(customer('c8'), credential('c8', 1));
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: 'CUSTOMER#c8', sk: 'PROFILE' },
        UpdateExpression: 'REMOVE settings.tokenLifetimeInMinutes SET settings.fromANewerVersion = :x',
        ExpressionAttributeValues: { ':x': true },
      }),
    );
    expect((await repo.get('c8'))?.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('reads a URL saved under an earlier, looser URL policy as it was saved', async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await repo.create(customer('c9'), credential('c9', 1));
    const loose = 'https://www.yourcompany.com/a%zz';
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: 'CUSTOMER#c9', sk: 'PROFILE' },
        UpdateExpression: 'SET settings.callbackUrl = :url',
        ExpressionAttributeValues: { ':url': loose },
      }),
    );
    expect((await repo.get('c9'))?.settings).toEqual({ ...DEFAULT_SETTINGS, callbackUrl: loose });
  });
});

describe('transaction repository', () => {
  const CREATED = Date.parse('2026-11-22T10:00:00.000Z');
  const transaction = (reference: string, tokenExpiresAt: number): Transaction => ({
    reference,
    customerId: 'c1',
    state: 'INITIATED',
    createdAt: new Date(CREATED).toISOString(),
    customerInternalReference: 'transaction_1234',
    userReference: 'user_1234',
    options: resolveOptions(DEFAULT_SETTINGS, {
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
      workflowId: 200,
      presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }],
    }),
    tokenHash: sha256(`token-${reference}`),
    tokenExpiresAt,
  });
  const rawItem = async (reference: string) =>
    (
      await table.db.send(
        new GetCommand({ TableName: table.tableName, Key: { pk: `TX#${reference}`, sk: 'TRANSACTION' } }),
      )
    ).Item;

  it('stores a transaction as one item and reads it back by reference, as stored', async () => {
    const repo = dynamoTransactionRepository(table.db, table.tableName, manualClock());
    const tx = transaction('7c3e9a2d-6f41-4a57-9d0e-2b1f8c4d5e60', Date.parse('2026-11-22T10:30:00.000Z'));
    await repo.create(tx);
    expect(await repo.get(tx.reference)).toEqual(tx);
    expect(await repo.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it("gives the item a TTL a day past the token's expiry, with the token's digest only", async () => {
    const repo = dynamoTransactionRepository(table.db, table.tableName, manualClock());
    const expiry = Date.parse('2026-11-22T10:30:00.000Z');
    const tx = transaction('0d5c1c7e-1b2a-4c3d-8e9f-0a1b2c3d4e5f', expiry);
    await repo.create(tx);
    expect(await rawItem(tx.reference)).toMatchObject({
      tokenHash: sha256(`token-${tx.reference}`),
      expiresAt: expiry / 1000 + 24 * 3600,
    });
    expect(JSON.stringify(await rawItem(tx.reference))).not.toContain(`token-${tx.reference}`);
  });

  it('reads a record past its TTL as gone, though DynamoDB has not deleted it yet', async () => {
    const now = { value: CREATED };
    const repo = dynamoTransactionRepository(table.db, table.tableName, { now: () => new Date(now.value) });
    const reference = '0f1e2d3c-4b5a-4697-8877-665544332211';
    const tokenExpiresAt = CREATED + 30 * 60_000;
    await repo.create(transaction(reference, tokenExpiresAt));
    const ttlSeconds = (await rawItem(reference))?.expiresAt as number;
    now.value = ttlSeconds * 1000 - 1;
    expect(await repo.get(reference)).toBeDefined();
    now.value = ttlSeconds * 1000;
    expect(await repo.get(reference)).toBeUndefined();
    now.value = ttlSeconds * 1000 + 1;
    expect(await repo.get(reference)).toBeUndefined();
    expect(await rawItem(reference)).toBeDefined();
  });

  it('refuses to overwrite an existing transaction', async () => {
    const repo = dynamoTransactionRepository(table.db, table.tableName, manualClock());
    const tx = transaction('3f2e1d0c-9b8a-4765-8432-10fedcba9876', CREATED + 60_000);
    await repo.create(tx);
    await expect(repo.create({ ...tx, customerId: 'someone-else' })).rejects.toThrow(/conditional/i);
    expect(await repo.get(tx.reference)).toMatchObject({ customerId: 'c1' });
  });

  it('marks a transaction started once, and from then keeps it until the given time', async () => {
    const repo = dynamoTransactionRepository(table.db, table.tableName, manualClock());
    const tx = transaction('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', CREATED + 60_000);
    await repo.create(tx);
    const keepUntil = CREATED + 360 * 24 * 3600 * 1000;
    const rule = submitRule(tx.options);
    await repo.markStarted(tx.reference, '2026-11-22T10:01:00.000Z', keepUntil, CREATED + 16 * 60_000, rule);
    await repo.markStarted(
      tx.reference,
      '2026-11-22T10:02:00.000Z',
      keepUntil + 5000,
      CREATED + 17 * 60_000,
      rule,
    );
    expect(await repo.get(tx.reference)).toMatchObject({
      state: 'STARTED',
      startedAt: '2026-11-22T10:01:00.000Z',
    });
    expect((await rawItem(tx.reference))?.expiresAt).toBe(keepUntil / 1000);
  });
});
