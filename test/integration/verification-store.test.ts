import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCallbackLog } from '#adapters/callback-log';
import { dynamoJobCursors } from '#adapters/job-cursors';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { DROP_OFF_AFTER_MS, minuteBucket } from '#domain/drop-off';
import { rejectReasonOf } from '#domain/image-rules';
import { InitiateRequest } from '#domain/initiate-request';
import { CustomerSettings } from '#domain/settings';
import { submitRule } from '#domain/submit-rule';
import type { Transaction } from '#domain/transaction';
import { DROP_OFF_JOB, runDropOffs } from '#use-cases/drop-offs';
import { initiate } from '#use-cases/initiate';
import { openSession } from '#use-cases/open-session';
import type { CallbackAttempt, WorkQueue } from '#use-cases/ports';
import { InMemoryImageStore } from '../unit/in-memory-ports.ts';
import { APPROVED, at, CREATED, capture, freshTable, MINUTE, manualClock, transaction } from './fixtures.ts';

/**
 * What the verification slice stores, against DynamoDB Local: the transaction's journey and verdict
 * writes and their conditions, the sparse `due` index, erasure, the callback log, job cursors, and
 * the drop-off job end to end.
 */

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});

const rawItem = async (pk: string, sk: string) =>
  (await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk, sk }, ConsistentRead: true })))
    .Item;

function repository(clock = manualClock()) {
  return dynamoTransactionRepository(table.db, table.tableName, clock);
}

/** A started transaction, as openSession leaves it. */
async function started(repo: ReturnType<typeof repository>, overrides: Partial<Transaction> = {}) {
  const tx = transaction(overrides);
  await repo.create(tx);
  await repo.markStarted(
    tx.reference,
    at(CREATED),
    CREATED + 360 * 24 * 60 * MINUTE,
    CREATED + 15 * MINUTE,
    submitRule(tx.options),
  );
  return tx;
}

describe('transaction repository: the journey', () => {
  it('keeps each side’s accepted image apart, and reads them back per side', async () => {
    const repo = repository();
    const tx = await started(repo);
    const front = capture(tx.reference, 'front', CREATED + MINUTE);
    const back = capture(tx.reference, 'back', CREATED + 2 * MINUTE);
    expect(await repo.recordCapture(tx.reference, 'front', front, CREATED + 16 * MINUTE)).toBe(true);
    expect(await repo.recordCapture(tx.reference, 'back', back, CREATED + 17 * MINUTE)).toBe(true);
    const read = await repo.get(tx.reference);
    expect(read?.captures).toEqual({ front, back });
    expect(read).toMatchObject({ lastActivityAt: back.acceptedAt, firstAttemptAt: front.acceptedAt });
    // No storage attribute leaks into the transaction.
    expect(read).not.toHaveProperty('captureFront');
    expect(read).not.toHaveProperty('dueBucket');
    expect(read).not.toHaveProperty('expiresAt');
  });

  it('a second image of a side replaces the first', async () => {
    const repo = repository();
    const tx = await started(repo);
    await repo.recordCapture(tx.reference, 'front', capture(tx.reference, 'front', CREATED + MINUTE), 0);
    const again = capture(tx.reference, 'front', CREATED + 2 * MINUTE);
    await repo.recordCapture(tx.reference, 'front', again, 0);
    expect((await repo.get(tx.reference))?.captures).toEqual({ front: again });
  });

  it('records captures and refusals only while the journey is STARTED', async () => {
    const repo = repository();
    const initiated = transaction();
    await repo.create(initiated);
    expect(
      await repo.recordCapture(
        initiated.reference,
        'front',
        capture(initiated.reference, 'front', CREATED),
        0,
      ),
    ).toBe(false);
    expect(await repo.recordRefusal(initiated.reference, 'BLURRED', at(CREATED), 0)).toBeUndefined();
    expect(await repo.recordRefusal(randomUUID(), 'BLURRED', at(CREATED), 0)).toBeUndefined();
    expect(await repo.get(initiated.reference)).toEqual(initiated);
  });

  it('counts refusals and keeps the last reason', async () => {
    const repo = repository();
    const tx = await started(repo);
    expect(await repo.recordRefusal(tx.reference, 'BLURRED', at(CREATED + MINUTE), 0)).toBe(1);
    expect(await repo.recordRefusal(tx.reference, 'GLARE', at(CREATED + 2 * MINUTE), 0)).toBe(2);
    expect(await repo.recordRefusal(tx.reference, 'TOO_SMALL', at(CREATED + 3 * MINUTE), 0)).toBe(3);
    expect(await repo.get(tx.reference)).toMatchObject({
      refusedAttempts: 3,
      lastRejectReason: 'TOO_SMALL',
      lastActivityAt: at(CREATED + 3 * MINUTE),
      firstAttemptAt: at(CREATED + MINUTE),
    });
  });

  it('submits a STARTED journey once', async () => {
    const repo = repository();
    const tx = await started(repo);
    await repo.recordCapture(
      tx.reference,
      'front',
      { ...capture(tx.reference, 'front', CREATED + MINUTE), source: 'camera' },
      CREATED + 16 * MINUTE,
    );
    const submission = {
      document: { country: 'AUT', idType: 'PASSPORT' as const },
      embedded: false,
      clientIp: '203.0.113.9',
      at: at(CREATED + 5 * MINUTE),
    };
    expect(await repo.submit(tx.reference, submission)).toBe(true);
    expect(await repo.submit(tx.reference, { ...submission, clientIp: '198.51.100.1' })).toBe(false);
    expect(await repo.get(tx.reference)).toMatchObject({
      state: 'SUBMITTED',
      document: { country: 'AUT', idType: 'PASSPORT' },
      source: 'REDIRECT_CAM',
      clientIp: '203.0.113.9',
      submittedAt: submission.at,
      lastActivityAt: submission.at,
    });
    const initiated = transaction();
    await repo.create(initiated);
    expect(await repo.submit(initiated.reference, submission)).toBe(false);
    expect(await repo.submit(randomUUID(), submission)).toBe(false);
  });

  it('finishes once, from any state but DONE and FAILED', async () => {
    const repo = repository();
    const tx = await started(repo);
    expect(await repo.finish(tx.reference, APPROVED, at(CREATED + 6 * MINUTE), 'DONE')).toBe(true);
    expect(
      await repo.finish(
        tx.reference,
        { verificationStatus: 'NO_ID_UPLOADED' },
        at(CREATED + 7 * MINUTE),
        'FAILED',
      ),
    ).toBe(false);
    expect(await repo.get(tx.reference)).toMatchObject({
      state: 'DONE',
      outcome: APPROVED,
      completedAt: at(CREATED + 6 * MINUTE),
    });

    const initiated = transaction();
    await repo.create(initiated);
    const noId = { verificationStatus: 'NO_ID_UPLOADED' } as const;
    expect(await repo.finish(initiated.reference, noId, at(CREATED), 'FAILED')).toBe(true);
    expect(await repo.finish(initiated.reference, APPROVED, at(CREATED), 'DONE')).toBe(false);
    expect((await repo.get(initiated.reference))?.outcome).toEqual(noId);
    expect(await repo.finish(randomUUID(), noId, at(CREATED), 'FAILED')).toBe(false);
  });

  it('notes the callback as queued once', async () => {
    const repo = repository();
    const tx = await started(repo);
    await repo.finish(tx.reference, APPROVED, at(CREATED), 'DONE');
    await repo.markCallbackQueued(tx.reference, at(CREATED + MINUTE));
    await repo.markCallbackQueued(tx.reference, at(CREATED + 2 * MINUTE));
    expect((await repo.get(tx.reference))?.callbackQueuedAt).toBe(at(CREATED + MINUTE));
  });
});

describe('transaction repository: the due index', () => {
  const bucket = (ms: number) => minuteBucket(ms);

  it('lists a transaction under the minute it is due, and under that minute only', async () => {
    const repo = repository();
    const tx = transaction({ tokenExpiresAt: CREATED + 30 * MINUTE + 12_345 });
    await repo.create(tx);
    expect(await repo.dueForDropOff(bucket(tx.tokenExpiresAt))).toContain(tx.reference);
    expect(await repo.dueForDropOff(bucket(tx.tokenExpiresAt - MINUTE))).not.toContain(tx.reference);
    expect(await repo.dueForDropOff(bucket(tx.tokenExpiresAt + MINUTE))).not.toContain(tx.reference);
  });

  it('moves with the start and every activity', async () => {
    const repo = repository();
    const tx = await started(repo);
    expect(await repo.dueForDropOff(bucket(CREATED + 15 * MINUTE))).toContain(tx.reference);
    expect(await repo.dueForDropOff(bucket(tx.tokenExpiresAt))).not.toContain(tx.reference);
    await repo.recordCapture(
      tx.reference,
      'front',
      capture(tx.reference, 'front', CREATED + 5 * MINUTE),
      CREATED + 20 * MINUTE,
    );
    expect(await repo.dueForDropOff(bucket(CREATED + 15 * MINUTE))).not.toContain(tx.reference);
    expect(await repo.dueForDropOff(bucket(CREATED + 20 * MINUTE))).toContain(tx.reference);
    await repo.recordRefusal(tx.reference, 'GLARE', at(CREATED + 8 * MINUTE), CREATED + 23 * MINUTE);
    expect(await repo.dueForDropOff(bucket(CREATED + 20 * MINUTE))).not.toContain(tx.reference);
    expect(await repo.dueForDropOff(bucket(CREATED + 23 * MINUTE))).toContain(tx.reference);
  });

  it('once submitted, lists a transaction only when its verification would be overdue, and as resent', async () => {
    const repo = repository();
    const tx = await started(repo);
    await repo.submit(tx.reference, {
      document: { country: 'AUT', idType: 'PASSPORT' },
      embedded: true,
      at: at(CREATED + MINUTE),
    });
    expect(await repo.dueForDropOff(bucket(CREATED + 15 * MINUTE))).not.toContain(tx.reference);
    expect(await repo.dueForDropOff(bucket(CREATED + 11 * MINUTE))).toContain(tx.reference);

    expect(await repo.markVerifyResent(tx.reference, at(CREATED + 11 * MINUTE), CREATED + 21 * MINUTE)).toBe(
      true,
    );
    expect(await repo.dueForDropOff(bucket(CREATED + 11 * MINUTE))).not.toContain(tx.reference);
    expect(await repo.dueForDropOff(bucket(CREATED + 21 * MINUTE))).toContain(tx.reference);
    expect(await repo.get(tx.reference)).toMatchObject({
      verifyResends: 1,
      verifyQueuedAt: at(CREATED + 11 * MINUTE),
    });
    // The last resend: due no more.
    expect(await repo.markVerifyResent(tx.reference, at(CREATED + 21 * MINUTE), undefined)).toBe(true);
    expect(await rawItem(`TX#${tx.reference}`, 'TRANSACTION')).not.toHaveProperty('dueBucket');
    expect((await repo.get(tx.reference))?.verifyResends).toBe(2);

    // A verdict ends it: not due, and no resend noted after it.
    await repo.finish(
      tx.reference,
      { verificationStatus: 'APPROVED_VERIFIED' },
      at(CREATED + 22 * MINUTE),
      'DONE',
    );
    expect(await repo.markVerifyResent(tx.reference, at(CREATED + 23 * MINUTE), CREATED + 33 * MINUTE)).toBe(
      false,
    );
    expect(await repo.dueForDropOff(bucket(CREATED + 33 * MINUTE))).not.toContain(tx.reference);
  });

  it('no longer lists a transaction once finished', async () => {
    const repo = repository();
    const tx = transaction();
    await repo.create(tx);
    await repo.finish(tx.reference, { verificationStatus: 'NO_ID_UPLOADED' }, at(CREATED), 'FAILED');
    expect(await repo.dueForDropOff(bucket(tx.tokenExpiresAt))).not.toContain(tx.reference);
  });

  it('answers every transaction due in a minute, over several pages', async () => {
    const repo = repository();
    const due = CREATED + 3 * 24 * 60 * MINUTE;
    const many = Array.from({ length: 30 }, () => transaction({ tokenExpiresAt: due }));
    await Promise.all(many.map((tx) => repo.create(tx)));
    expect((await repo.dueForDropOff(bucket(due))).sort()).toEqual(many.map((tx) => tx.reference).sort());
  });
});

describe('transaction repository: erasure', () => {
  it('leaves a record of the deletion with no personal data; get answers undefined', async () => {
    const repo = repository();
    const tx = await started(repo, { reportingCriteria: 'campaign-3' });
    await repo.recordCapture(
      tx.reference,
      'front',
      capture(tx.reference, 'front', CREATED + MINUTE),
      CREATED + 16 * MINUTE,
    );
    await repo.submit(tx.reference, {
      document: { country: 'AUT', idType: 'PASSPORT' },
      embedded: true,
      clientIp: '203.0.113.9',
      at: at(CREATED + 2 * MINUTE),
    });
    await repo.finish(tx.reference, APPROVED, at(CREATED + 3 * MINUTE), 'DONE');
    const before = await rawItem(`TX#${tx.reference}`, 'TRANSACTION');

    await repo.erase(tx.reference, at(CREATED + 4 * MINUTE));
    expect(await repo.get(tx.reference)).toBeUndefined();
    expect(await rawItem(`TX#${tx.reference}`, 'TRANSACTION')).toEqual({
      pk: `TX#${tx.reference}`,
      sk: 'TRANSACTION',
      reference: tx.reference,
      customerId: 'c1',
      createdAt: tx.createdAt,
      deletedAt: at(CREATED + 4 * MINUTE),
      expiresAt: before?.expiresAt,
      // Due once more, ten minutes on, for the sweep of a late upload's images.
      dueBucket: `DUE#${minuteBucket(CREATED + 14 * MINUTE)}`,
    });
  });

  it('a verdict after the erasure writes nothing', async () => {
    const repo = repository();
    const tx = await started(repo);
    await repo.erase(tx.reference, at(CREATED + MINUTE));
    expect(await repo.finish(tx.reference, APPROVED, at(CREATED + 2 * MINUTE), 'DONE')).toBe(false);
    expect(await repo.recordCapture(tx.reference, 'front', capture(tx.reference, 'front', CREATED), 0)).toBe(
      false,
    );
    expect(await repo.recordRefusal(tx.reference, 'GLARE', at(CREATED), 0)).toBeUndefined();
    expect(await rawItem(`TX#${tx.reference}`, 'TRANSACTION')).not.toHaveProperty('outcome');
    expect(await repo.get(tx.reference)).toBeUndefined();
  });

  it('an erased transaction is no longer due', async () => {
    const repo = repository();
    const tx = transaction();
    await repo.create(tx);
    await repo.erase(tx.reference, at(CREATED + MINUTE));
    expect(await repo.dueForDropOff(minuteBucket(tx.tokenExpiresAt))).not.toContain(tx.reference);
  });

  it('erasing a transaction that does not exist creates nothing', async () => {
    const repo = repository();
    const reference = randomUUID();
    await repo.erase(reference, at(CREATED));
    expect(await rawItem(`TX#${reference}`, 'TRANSACTION')).toBeUndefined();
  });
});

describe('callback log', () => {
  const attempt = (reference: string, n: number, atMs: number, extra: Partial<CallbackAttempt> = {}) => ({
    reference,
    webhookId: `msg_final_${reference}`,
    attempt: n,
    at: at(atMs),
    outcome: 'retry' as const,
    statusCode: 500,
    errorClass: 'http_status',
    latencyMs: 40,
    ...extra,
  });

  it('keeps every attempt of a transaction in its partition, with a TTL, apart from the transaction', async () => {
    const log = dynamoCallbackLog(table.db, table.tableName);
    const repo = repository();
    const tx = await started(repo);
    const other = randomUUID();
    const first = attempt(tx.reference, 1, CREATED, { nextAttemptAt: at(CREATED + 5000) });
    const second = attempt(tx.reference, 2, CREATED + 5000, { outcome: 'delivered', statusCode: 200 });
    const { errorClass: _unused, ...delivered } = second;
    await log.record(first, CREATED + 1000 * MINUTE);
    await log.record(delivered as CallbackAttempt, CREATED + 1000 * MINUTE);
    await log.record(attempt(other, 1, CREATED), CREATED);
    // A replay counts from 1 again, at another time: kept beside the first.
    const replay = attempt(tx.reference, 1, CREATED + 60 * MINUTE, { outcome: 'delivered', statusCode: 200 });
    await log.record(replay, CREATED + 1000 * MINUTE);

    const attempts = await log.attempts(tx.reference);
    expect(attempts.sort((a, b) => a.at.localeCompare(b.at))).toEqual([first, delivered, replay]);
    expect(await log.attempts(other)).toHaveLength(1);
    expect(await log.attempts(randomUUID())).toEqual([]);
    const items = await Promise.all(
      [first, replay].map((a) => rawItem(`TX#${tx.reference}`, `CALLBACK#${a.at}#${a.webhookId}#001`)),
    );
    expect(items.map((item) => item?.expiresAt)).toEqual([
      Math.ceil((CREATED + 1000 * MINUTE) / 1000),
      Math.ceil((CREATED + 1000 * MINUTE) / 1000),
    ]);
    // The transaction is read as it was.
    expect((await repo.get(tx.reference))?.state).toBe('STARTED');
  });

  it('a batch: transactions read together, skipping the erased and the absent; attempts and dead letters written together', async () => {
    const log = dynamoCallbackLog(table.db, table.tableName);
    const repo = repository();
    const kept = await Promise.all(Array.from({ length: 3 }, () => started(repo)));
    const erased = await started(repo);
    await repo.erase(erased.reference, at(CREATED + MINUTE));
    const absent = randomUUID();
    const found = await repo.getMany([...kept.map((tx) => tx.reference), erased.reference, absent, absent]);
    expect([...found.keys()].sort()).toEqual(kept.map((tx) => tx.reference).sort());
    expect(found.get(kept[0]?.reference ?? '')?.state).toBe('STARTED');

    // More than one BatchWriteItem holds (25), and a key named twice is written once.
    const many = Array.from({ length: 30 }, (_, n) =>
      attempt(kept[n % 3]?.reference ?? '', n + 1, CREATED + n),
    );
    const delivered = attempt(kept[0]?.reference ?? '', 31, CREATED + 31, {
      outcome: 'delivered',
      statusCode: 200,
    });
    const letter = {
      customerId: `cust-${randomUUID()}`,
      reference: kept[1]?.reference ?? '',
      webhookId: `msg_final_${kept[1]?.reference}`,
      kind: 'final',
      at: at(CREATED),
      attempts: 10,
    };
    await log.write({
      attempts: [...many, delivered, delivered].map((a) => ({ attempt: a, keepUntil: CREATED + 1e9 })),
      deadLetters: [{ letter, keepUntil: undefined }],
    });
    const logged = (await Promise.all(kept.map((tx) => log.attempts(tx.reference)))).flat();
    expect(logged).toHaveLength(31);
    expect(await log.deadLetters(letter.customerId, at(CREATED), at(CREATED))).toEqual([letter]);
    // Only the delivered one is marked delivered; the marker is not an attempt.
    expect(
      await log.deliveredAmong([
        { reference: kept[0]?.reference ?? '', webhookId: delivered.webhookId },
        { reference: kept[1]?.reference ?? '', webhookId: many[1]?.webhookId ?? '' },
        { reference: absent, webhookId: 'msg_final_x' },
      ]),
    ).toEqual(new Set([delivered.webhookId]));
    expect(await log.deliveredAmong([])).toEqual(new Set());
    // The same callback twice (an SQS batch may hold a message twice): read once, not refused.
    const twice = { reference: kept[0]?.reference ?? '', webhookId: delivered.webhookId };
    expect(await log.deliveredAmong([twice, { ...twice }])).toEqual(new Set([delivered.webhookId]));
  });

  it('finds a customer’s dead letters by time, both ends inclusive', async () => {
    const log = dynamoCallbackLog(table.db, table.tableName);
    const customerId = `cust-${randomUUID()}`;
    const letter = (minutes: number, customer = customerId) => ({
      customerId: customer,
      reference: randomUUID(),
      webhookId: `msg_final_${minutes}`,
      kind: 'final',
      at: at(CREATED + minutes * MINUTE),
      attempts: 10,
      lastErrorClass: 'timeout',
    });
    const letters = [letter(0), letter(10), letter(20), letter(30)];
    for (const item of [...letters, letter(10, `other-${randomUUID()}`)])
      await log.deadLetter(item, CREATED + 1e9);
    expect(await log.deadLetters(customerId, at(CREATED + 10 * MINUTE), at(CREATED + 20 * MINUTE))).toEqual([
      letters[1],
      letters[2],
    ]);
    expect(await log.deadLetters(customerId, at(CREATED - MINUTE), at(CREATED + 60 * MINUTE))).toEqual(
      letters,
    );
    expect(await log.deadLetters(customerId, at(CREATED + 31 * MINUTE), at(CREATED + 60 * MINUTE))).toEqual(
      [],
    );
    // A day given as a date covers the whole day.
    expect(await log.deadLetters(customerId, '2026-11-22', '2026-11-22')).toEqual(letters);
  });
});

describe('job cursors', () => {
  it('reads nothing before the first run, then the last value set', async () => {
    const cursors = dynamoJobCursors(table.db, table.tableName);
    const job = `job-${randomUUID()}`;
    expect(await cursors.get(job)).toBeUndefined();
    await cursors.set(job, '2026-11-22T10:00');
    await cursors.set(job, '2026-11-22T10:01');
    expect(await cursors.get(job)).toBe('2026-11-22T10:01');
    expect(await cursors.get(`job-${randomUUID()}`)).toBeUndefined();
  });
});

describe('runDropOffs end to end', () => {
  class Queue implements WorkQueue {
    readonly messages: unknown[] = [];
    async send(message: unknown) {
      this.messages.push(message);
    }
  }

  it('sweeps a deleted transaction’s images once more, after its last upload URL expired', async () => {
    const own = await freshTable();
    const clock = manualClock();
    const transactions = dynamoTransactionRepository(own.db, own.tableName, clock);
    const cursors = dynamoJobCursors(own.db, own.tableName);
    const images = new InMemoryImageStore();
    const deps = {
      transactions,
      images,
      cursors,
      callbackQueue: new Queue(),
      verifyQueue: new Queue(),
      clock,
    };
    await cursors.set(DROP_OFF_JOB, minuteBucket(CREATED - MINUTE));
    const tx = { ...transaction({ tokenExpiresAt: CREATED + 60 * MINUTE }), state: 'DONE' as const };
    await transactions.create(tx);
    await transactions.erase(tx.reference, at(CREATED));
    // An upload URL issued before the deletion still works for a while.
    images.upload(`tx/${tx.reference}/front/${randomUUID()}`, Buffer.from('late'), 'image/jpeg');

    clock.set(CREATED + 5 * MINUTE);
    await runDropOffs(deps);
    expect(images.objects.size).toBe(1);
    clock.set(CREATED + 12 * MINUTE);
    await runDropOffs(deps);
    expect(images.objects.size).toBe(0);
  });

  it('finishes each abandoned journey once, at its time, and moves the cursor', async () => {
    // A table of its own: the job reads every transaction due in a minute.
    const own = await freshTable();
    const clock = manualClock();
    const transactions = dynamoTransactionRepository(own.db, own.tableName, clock);
    const cursors = dynamoJobCursors(own.db, own.tableName);
    const callbackQueue = new Queue();
    const verifyQueue = new Queue();
    const deps = {
      transactions,
      images: new InMemoryImageStore(),
      cursors,
      callbackQueue,
      verifyQueue,
      clock,
    };
    await cursors.set(DROP_OFF_JOB, minuteBucket(clock.now().getTime() - MINUTE));
    const customer = {
      customerId: 'c1',
      name: 'Bank',
      settings: CustomerSettings.parse({}),
      createdAt: at(CREATED),
    };
    const begin = async () => {
      const response = await initiate(
        { transactions, clock, hosts: { baseUrl: 'https://verify.example.com' } },
        customer,
        InitiateRequest.parse({ customerInternalReference: 'transaction_1234', userReference: 'user_1234' }),
      );
      return {
        token: new URL(response.redirectUrl).searchParams.get('authorizationToken') ?? '',
        reference: response.transactionReference,
      };
    };
    const runAt = async (ms: number) => {
      clock.set(ms);
      return runDropOffs(deps);
    };

    const neverStarted = await begin();
    const idle = await begin();
    await openSession({ transactions, clock }, idle.token);
    const refused = await begin();
    await openSession({ transactions, clock }, refused.token);
    clock.advance(5 * MINUTE);
    const now = clock.now().getTime();
    await transactions.recordRefusal(refused.reference, 'BLURRED', at(now), now + DROP_OFF_AFTER_MS);
    const submitted = await begin();
    await openSession({ transactions, clock }, submitted.token);
    await transactions.submit(submitted.reference, {
      document: { country: 'AUT', idType: 'PASSPORT' },
      embedded: false,
      at: at(now),
    });

    // Just before the idle one's 15 minutes: nothing.
    expect(await runAt(CREATED + 15 * MINUTE - 1)).toEqual({ buckets: 14, droppedOff: 0, verifyResent: 0 });
    // The job then misses a few minutes, and catches up; the submission, without a verdict 10
    // minutes on, gets its verify message again.
    expect(await runAt(CREATED + 21 * MINUTE)).toEqual({ buckets: 7, droppedOff: 2, verifyResent: 1 });
    expect(verifyQueue.messages).toEqual([{ reference: submitted.reference }]);
    expect(await transactions.get(idle.reference)).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'NO_ID_UPLOADED' },
      completedAt: at(CREATED + 21 * MINUTE),
      callbackQueuedAt: at(CREATED + 21 * MINUTE),
    });
    expect(await transactions.get(refused.reference)).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'ERROR_NOT_READABLE_ID', rejectReason: rejectReasonOf('BLURRED') },
    });
    expect((await transactions.get(neverStarted.reference))?.state).toBe('INITIATED');

    // The token of the one never started expires 30 minutes after creation.
    expect(await runAt(CREATED + 30 * MINUTE)).toMatchObject({ droppedOff: 0 });
    expect(await runAt(CREATED + 31 * MINUTE)).toMatchObject({ droppedOff: 1 });
    expect(await transactions.get(neverStarted.reference)).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'NO_ID_UPLOADED' },
    });

    // Much later: nothing more, and the submitted one never dropped off.
    expect(await runAt(CREATED + 3 * 60 * MINUTE)).toMatchObject({ droppedOff: 0 });
    expect((await transactions.get(submitted.reference))?.state).toBe('SUBMITTED');
    expect(callbackQueue.messages).toEqual([
      { reference: idle.reference, kind: 'final' },
      { reference: refused.reference, kind: 'final' },
      { reference: neverStarted.reference, kind: 'final' },
    ]);
    expect(await cursors.get(DROP_OFF_JOB)).toBe(minuteBucket(CREATED + 3 * 60 * MINUTE - MINUTE));
  });

  it('two runs at once finish a transaction once', async () => {
    const own = await freshTable();
    const clock = manualClock();
    const transactions = dynamoTransactionRepository(own.db, own.tableName, clock);
    const cursors = dynamoJobCursors(own.db, own.tableName);
    const callbackQueue = new Queue();
    await cursors.set(DROP_OFF_JOB, minuteBucket(CREATED - MINUTE));
    const tx = transaction({ tokenExpiresAt: CREATED + 10 * MINUTE });
    await transactions.create(tx);
    clock.set(CREATED + 11 * MINUTE);
    const deps = {
      transactions,
      images: new InMemoryImageStore(),
      cursors,
      callbackQueue,
      verifyQueue: new Queue(),
      clock,
    };
    const results = await Promise.all([runDropOffs(deps), runDropOffs(deps)]);
    expect(results.reduce((sum, result) => sum + result.droppedOff, 0)).toBe(1);
    expect(callbackQueue.messages).toEqual([{ reference: tx.reference, kind: 'final' }]);
  });
});
