import { beforeEach, describe, expect, it } from 'vitest';
import { NotFound } from '#domain/errors';
import type { Transaction } from '#domain/transaction';
import {
  callbackAttempts,
  deleteScan,
  findScan,
  replayCallback,
  type ScansDeps,
  scanImage,
} from '#use-cases/scans';
import {
  FakeClock,
  InMemoryCallbackLog,
  InMemoryImageStore,
  InMemoryTransactions,
  RecordingQueue,
} from './in-memory-ports.ts';
import { APPROVED, customerWith, transactionFixture } from './transaction-fixtures.ts';

/** The integrator's view of its transactions: retrieval, images, the callback log, replay and delete. */

const MINE = 'a1b2c3d4-0000-4000-8000-000000000001';
const THEIRS = 'a1b2c3d4-0000-4000-8000-000000000002';
const MISSING = 'a1b2c3d4-0000-4000-8000-00000000ffff';
const me = customerWith({}, 'customer-1');
const them = customerWith({}, 'customer-2');

let clock: FakeClock;
let transactions: InMemoryTransactions;
let images: InMemoryImageStore;
let log: InMemoryCallbackLog;
let callbackQueue: RecordingQueue;
let deps: ScansDeps;

const frontKey = (reference: string) => `tx/${reference}/front/00000000-0000-4000-8000-000000000001`;

function finished(reference: string, customerId: string): Transaction {
  return transactionFixture({
    reference,
    customerId,
    state: 'DONE',
    startedAt: '2018-07-03T08:05:00.000Z',
    outcome: APPROVED,
    captures: {
      front: {
        key: frontKey(reference),
        contentType: 'image/png',
        source: 'camera',
        acceptedAt: '2018-07-03T08:10:00.000Z',
      },
    },
  });
}

beforeEach(async () => {
  clock = new FakeClock('2018-07-03T09:00:00.000Z');
  transactions = new InMemoryTransactions(clock);
  images = new InMemoryImageStore();
  log = new InMemoryCallbackLog();
  callbackQueue = new RecordingQueue();
  deps = { transactions, images, log, callbackQueue, clock };
  for (const [reference, customer] of [
    [MINE, me],
    [THEIRS, them],
  ] as const) {
    await transactions.create(finished(reference, customer.customerId));
    images.upload(frontKey(reference), Buffer.from(`front of ${reference}`), 'image/png');
    images.upload(`tx/${reference}/back/00000000-0000-4000-8000-000000000002`, Buffer.from('refused back'));
  }
});

async function notFound(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(NotFound);
  return (error as NotFound).message;
}

describe('another customer’s transaction answers exactly as a missing one', () => {
  const calls: [string, (reference: string) => Promise<unknown>][] = [
    ['findScan', (reference) => findScan(deps, me, reference)],
    ['scanImage', (reference) => scanImage(deps, me, reference, 'front')],
    ['callbackAttempts', (reference) => callbackAttempts(deps, me, reference)],
    ['replayCallback', (reference) => replayCallback(deps, me, reference)],
    ['deleteScan', (reference) => deleteScan(deps, me, reference)],
  ];

  it.each(calls)('%s', async (_name, call) => {
    const missing = await notFound(call(MISSING));
    expect(await notFound(call(THEIRS))).toBe(missing);
    // And nothing happened to theirs.
    expect(transactions.transactions.get(THEIRS)?.state).toBe('DONE');
    expect(images.objects.has(frontKey(THEIRS))).toBe(true);
    expect(callbackQueue.sent).toEqual([]);
  });
});

describe('retrieval', () => {
  it('findScan answers the caller’s own transaction', async () => {
    expect((await findScan(deps, me, MINE)).reference).toBe(MINE);
  });

  it('scanImage answers the bytes of a stored side, with its content type', async () => {
    expect(await scanImage(deps, me, MINE, 'front')).toEqual({
      bytes: Buffer.from(`front of ${MINE}`),
      contentType: 'image/png',
    });
  });

  it('a side without an accepted image is not found, even if an object exists under the prefix', async () => {
    await notFound(scanImage(deps, me, MINE, 'back'));
    await notFound(scanImage(deps, me, MINE, 'face'));
  });

  it('an accepted image gone from the store is not found', async () => {
    images.objects.delete(frontKey(MINE));
    await notFound(scanImage(deps, me, MINE, 'front'));
  });

  it('the callback log in time order', async () => {
    const attempt = (n: number, at: string) => ({
      reference: MINE,
      webhookId: `msg_final_${MINE}`,
      attempt: n,
      at,
      outcome: 'retry' as const,
      latencyMs: 10,
    });
    await log.record(attempt(2, '2018-07-03T09:00:05.000Z'), 0);
    await log.record(attempt(1, '2018-07-03T09:00:00.000Z'), 0);
    await log.record({ ...attempt(1, '2018-07-03T08:00:00.000Z'), reference: THEIRS }, 0);
    expect((await callbackAttempts(deps, me, MINE)).map((a) => a.attempt)).toEqual([1, 2]);
  });
});

describe('replayCallback', () => {
  it('queues the final callback again, marked as a replay', async () => {
    expect(await replayCallback(deps, me, MINE)).toEqual({ queued: true });
    expect(callbackQueue.sent).toEqual([{ message: { reference: MINE, kind: 'final', replay: true } }]);
  });

  it('needs a result to replay', async () => {
    transactions.update(MINE, { state: 'SUBMITTED', outcome: undefined });
    await notFound(replayCallback(deps, me, MINE));
    expect(callbackQueue.sent).toEqual([]);
  });
});

describe('deleteScan', () => {
  it('removes every image under the transaction’s prefix and erases it; later calls are 404s', async () => {
    expect(await deleteScan(deps, me, MINE)).toEqual({
      timestamp: clock.now().toISOString(),
      scanReference: MINE,
    });
    expect([...images.objects.keys()].filter((key) => key.startsWith(`tx/${MINE}/`))).toEqual([]);
    expect(await transactions.get(MINE)).toBeUndefined();
    await notFound(findScan(deps, me, MINE));
    await notFound(deleteScan(deps, me, MINE));
    // Another transaction's images are untouched.
    expect([...images.objects.keys()].filter((key) => key.startsWith(`tx/${THEIRS}/`))).toHaveLength(2);
  });

  it('erases with the time of the call', async () => {
    const erased: [string, string][] = [];
    transactions.erase = async (reference, at) => {
      erased.push([reference, at]);
    };
    await deleteScan(deps, me, MINE);
    expect(erased).toEqual([[MINE, clock.now().toISOString()]]);
  });
});
