import { beforeEach, describe, expect, it } from 'vitest';
import {
  bucketsToRun,
  DROP_OFF_AFTER_MS,
  dropOffAt,
  dropOffOutcome,
  minuteBucket,
  UNVERIFIED_OUTCOME,
} from '#domain/drop-off';
import { rejectReasonOf } from '#domain/image-rules';
import { DROP_OFF_JOB, type DropOffDeps, runDropOffs } from '#use-cases/drop-offs';
import { checkCapture, issueUpload, type JourneyDeps, submitJourney } from '#use-cases/journey';
import { verifyTransaction } from '#use-cases/verify';
import {
  FakeClock,
  FakeImageInspector,
  InMemoryImageStore,
  InMemoryJobCursors,
  InMemoryTransactions,
  MINUTE,
  RecordingQueue,
  USABLE_IMAGE,
} from './in-memory-ports.ts';
import { initiatedJourney, mrzReading, startedJourney, transactionFixture } from './transaction-fixtures.ts';

/** Drop-offs: the final callback of a journey that will get no verdict, sent by a job once a minute. */

const T0 = Date.parse('2018-07-03T08:23:00.000Z');
const HOUR = 60 * MINUTE;

describe('dropOffAt', () => {
  const tokenExpiresAt = T0 + 30 * MINUTE;

  it('a journey never started drops off when its token expires', () => {
    expect(dropOffAt(transactionFixture({ state: 'INITIATED', tokenExpiresAt }))).toBe(tokenExpiresAt);
  });

  it('a started journey 15 minutes after its last activity, or its start when none', () => {
    const started = transactionFixture({
      state: 'STARTED',
      tokenExpiresAt,
      startedAt: new Date(T0).toISOString(),
    });
    expect(dropOffAt(started)).toBe(T0 + DROP_OFF_AFTER_MS);
    expect(dropOffAt({ ...started, lastActivityAt: new Date(T0 + 5 * MINUTE).toISOString() })).toBe(
      T0 + 20 * MINUTE,
    );
    expect(DROP_OFF_AFTER_MS).toBe(15 * MINUTE);
  });

  it('at the latest when its token expires', () => {
    const started = transactionFixture({
      state: 'STARTED',
      tokenExpiresAt,
      startedAt: new Date(T0).toISOString(),
      lastActivityAt: new Date(T0 + 25 * MINUTE).toISOString(),
    });
    expect(dropOffAt(started)).toBe(tokenExpiresAt);
    expect(dropOffAt({ ...started, startedAt: undefined, lastActivityAt: undefined })).toBe(tokenExpiresAt);
  });

  it.each(['SUBMITTED', 'PROCESSING', 'DONE', 'FAILED'] as const)(
    'a %s transaction never drops off',
    (state) => {
      expect(dropOffAt(transactionFixture({ state, startedAt: new Date(T0).toISOString() }))).toBeUndefined();
    },
  );
});

describe('dropOffOutcome', () => {
  it('never started, or started without a refused attempt → NO_ID_UPLOADED', () => {
    expect(dropOffOutcome(transactionFixture({ state: 'INITIATED' }))).toEqual({
      verificationStatus: 'NO_ID_UPLOADED',
    });
    expect(dropOffOutcome(transactionFixture({ state: 'STARTED', refusedAttempts: 0 }))).toEqual({
      verificationStatus: 'NO_ID_UPLOADED',
    });
  });

  it.each([1, 2])('%i refused attempts → ERROR_NOT_READABLE_ID with the last reason', (refusedAttempts) => {
    expect(
      dropOffOutcome(transactionFixture({ state: 'STARTED', refusedAttempts, lastRejectReason: 'GLARE' })),
    ).toEqual({ verificationStatus: 'ERROR_NOT_READABLE_ID', rejectReason: rejectReasonOf('GLARE') });
  });
});

describe('minute buckets', () => {
  it('a bucket is the UTC minute', () => {
    expect(minuteBucket(Date.parse('2026-11-27T12:34:59.999Z'))).toBe('2026-11-27T12:34');
    expect(minuteBucket(Date.parse('2026-11-27T12:35:00.000Z'))).toBe('2026-11-27T12:35');
  });

  it('a minute is run once it has passed wholly, not a millisecond before', () => {
    const end = Date.parse('2026-11-27T12:35:00.000Z');
    expect(bucketsToRun('2026-11-27T12:33', end - 1, 100)).toEqual([]);
    expect(bucketsToRun('2026-11-27T12:33', end, 100)).toEqual(['2026-11-27T12:34']);
  });

  it('every minute after the cursor, oldest first, up to the limit', () => {
    const now = Date.parse('2026-11-27T12:40:30.000Z');
    expect(bucketsToRun('2026-11-27T12:35', now, 100)).toEqual([
      '2026-11-27T12:36',
      '2026-11-27T12:37',
      '2026-11-27T12:38',
      '2026-11-27T12:39',
    ]);
    expect(bucketsToRun('2026-11-27T12:35', now, 2)).toEqual(['2026-11-27T12:36', '2026-11-27T12:37']);
  });

  it('across midnight and a month end', () => {
    expect(bucketsToRun('2026-11-30T23:58', Date.parse('2026-12-01T00:01:00.000Z'), 100)).toEqual([
      '2026-11-30T23:59',
      '2026-12-01T00:00',
    ]);
  });

  it('nothing when the cursor is at or past the last whole minute', () => {
    const now = Date.parse('2026-11-27T12:40:30.000Z');
    expect(bucketsToRun('2026-11-27T12:39', now, 100)).toEqual([]);
    expect(bucketsToRun('2026-11-27T13:00', now, 100)).toEqual([]);
  });

  it('without a cursor, the day before the last whole minute', () => {
    const now = Date.parse('2026-11-27T12:40:30.000Z');
    const buckets = bucketsToRun(undefined, now, 10_000);
    expect(buckets[0]).toBe('2026-11-26T12:39');
    expect(buckets.at(-1)).toBe('2026-11-27T12:39');
  });
});

describe('runDropOffs', () => {
  let clock: FakeClock;
  let transactions: InMemoryTransactions;
  let cursors: InMemoryJobCursors;
  let callbackQueue: RecordingQueue;
  let verifyQueue: RecordingQueue;
  let deps: DropOffDeps;
  let journey: JourneyDeps;
  let images: InMemoryImageStore;
  let ids: number;

  beforeEach(() => {
    clock = new FakeClock(T0);
    transactions = new InMemoryTransactions(clock);
    cursors = new InMemoryJobCursors();
    callbackQueue = new RecordingQueue();
    verifyQueue = new RecordingQueue();
    images = new InMemoryImageStore();
    deps = { transactions, images, cursors, callbackQueue, verifyQueue, clock };
    ids = 0;
    journey = {
      transactions,
      images: new InMemoryImageStore(),
      inspector: new FakeImageInspector(),
      callbackQueue,
      clock,
      newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    };
  });

  const stored = (reference: string) => transactions.transactions.get(reference);
  const callbacksFor = (reference: string) =>
    callbackQueue.messages.filter((message) => (message as { reference: string }).reference === reference);

  /** Runs the job at `at` (epoch ms), as its once-a-minute schedule would. */
  async function runAt(at: number) {
    clock.advance(at - clock.now().getTime());
    return runDropOffs(deps);
  }

  /** The job's first run: the cursor at the minute before now. */
  const startCursor = async () => cursors.set(DROP_OFF_JOB, minuteBucket(clock.now().getTime() - MINUTE));

  /** An index that still lists a transaction under every minute (GSIs are eventually consistent). */
  function laggingIndex() {
    transactions.dueForDropOff = async () => [...transactions.transactions.keys()];
  }

  async function capture(token: string, bytes: Buffer) {
    const { key } = await issueUpload(journey, token, {
      side: 'front',
      contentType: 'image/jpeg',
      size: bytes.length,
      source: 'upload',
    });
    (journey.images as InMemoryImageStore).upload(key, bytes, 'image/jpeg', { source: 'upload' });
    return checkCapture(journey, token, { side: 'front', key });
  }

  it('a journey never started drops off at its token’s expiry (NO_ID_UPLOADED), not a millisecond before', async () => {
    await startCursor();
    const { reference } = await initiatedJourney({ transactions, clock });
    const expiry = T0 + 30 * MINUTE;
    laggingIndex();
    expect(await runAt(expiry - 1)).toMatchObject({ droppedOff: 0 });
    expect(stored(reference)?.state).toBe('INITIATED');
    expect(callbackQueue.sent).toEqual([]);
    expect(await runAt(expiry)).toMatchObject({ droppedOff: 1 });
    expect(stored(reference)).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'NO_ID_UPLOADED' },
      completedAt: new Date(expiry).toISOString(),
      callbackQueuedAt: new Date(expiry).toISOString(),
    });
    expect(callbackQueue.sent).toEqual([{ message: { reference, kind: 'final' } }]);
  });

  it('with the index as it is, the drop-off comes in the first run after the due minute', async () => {
    await startCursor();
    const { reference } = await initiatedJourney({ transactions, clock });
    const expiry = T0 + 30 * MINUTE;
    for (let at = T0 + MINUTE; at <= expiry; at += MINUTE) await runAt(at);
    expect(stored(reference)?.state).toBe('INITIATED');
    await runAt(expiry + MINUTE);
    expect(stored(reference)?.outcome).toEqual({ verificationStatus: 'NO_ID_UPLOADED' });
  });

  it('started, no refused attempt: NO_ID_UPLOADED 15 minutes after the last activity', async () => {
    await startCursor();
    const { reference } = await startedJourney({ transactions, clock });
    laggingIndex();
    await runAt(T0 + 15 * MINUTE - 1);
    expect(stored(reference)?.state).toBe('STARTED');
    await runAt(T0 + 15 * MINUTE);
    expect(stored(reference)).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'NO_ID_UPLOADED' },
    });
    expect(callbacksFor(reference)).toHaveLength(1);
  });

  it('an accepted image moves the due time; with it and no refusal, still NO_ID_UPLOADED', async () => {
    await startCursor();
    const { token, reference } = await startedJourney({ transactions, clock });
    clock.advance(10 * MINUTE);
    expect(await capture(token, USABLE_IMAGE)).toEqual({ accepted: true });
    for (let at = T0 + 11 * MINUTE; at < T0 + 25 * MINUTE; at += MINUTE) await runAt(at);
    expect(stored(reference)?.state).toBe('STARTED');
    await runAt(T0 + 26 * MINUTE);
    expect(stored(reference)).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'NO_ID_UPLOADED' },
    });
  });

  it.each([1, 2])('%i refused attempts: ERROR_NOT_READABLE_ID with the last reason', async (refusals) => {
    await startCursor();
    const { token, reference } = await startedJourney({ transactions, clock });
    const reasons = ['BLURRED', 'GLARE'].slice(0, refusals);
    for (const reason of reasons) await capture(token, Buffer.from(reason));
    await runAt(T0 + 16 * MINUTE);
    expect(stored(reference)).toMatchObject({
      state: 'FAILED',
      outcome: {
        verificationStatus: 'ERROR_NOT_READABLE_ID',
        rejectReason: rejectReasonOf(refusals === 1 ? 'BLURRED' : 'GLARE'),
      },
    });
    expect(callbacksFor(reference)).toHaveLength(1);
  });

  it('activity moves the due time, even when an old index entry still lists it', async () => {
    await startCursor();
    const { token, reference } = await startedJourney({ transactions, clock });
    laggingIndex();
    clock.advance(14 * MINUTE);
    await capture(token, Buffer.from('BLURRED'));
    await runAt(T0 + 15 * MINUTE);
    await runAt(T0 + 29 * MINUTE - 1);
    expect(stored(reference)?.state).toBe('STARTED');
    await runAt(T0 + 29 * MINUTE);
    expect(stored(reference)?.state).toBe('FAILED');
  });

  it('a submitted transaction never drops off (the worker finishes it)', async () => {
    await startCursor();
    const { token, reference } = await startedJourney({ transactions, clock }, { workflowId: 100 });
    await capture(token, USABLE_IMAGE);
    await submitJourney(journey, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined);
    laggingIndex();
    // Past its 15 minutes' idleness and its token, short of giving up on its verification.
    for (let at = T0 + MINUTE; at <= T0 + 35 * MINUTE; at += MINUTE) await runAt(at);
    expect(stored(reference)?.state).toBe('SUBMITTED');
    expect(callbackQueue.sent).toEqual([]);
  });

  it('a submission with no verdict gets its verify message again, 10 minutes after the last, three times; then its final callback', async () => {
    await startCursor();
    const { token, reference } = await startedJourney({ transactions, clock }, { workflowId: 100 });
    await capture(token, USABLE_IMAGE);
    await submitJourney(journey, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined);
    const submittedAt = clock.now().getTime();
    const sentBy = async (at: number) => {
      for (let minute = clock.now().getTime() + MINUTE; minute <= at; minute += MINUTE) await runAt(minute);
      return verifyQueue.messages.length;
    };
    // The submission's own message comes from the table's stream; the job sends nothing until the
    // verification is overdue.
    expect(await sentBy(submittedAt + 10 * MINUTE - 1)).toBe(0);
    expect(await sentBy(submittedAt + 12 * MINUTE)).toBe(1);
    expect(stored(reference)).toMatchObject({ state: 'SUBMITTED', verifyResends: 1 });
    expect(await sentBy(submittedAt + 19 * MINUTE)).toBe(1);
    expect(await sentBy(submittedAt + 39 * MINUTE)).toBe(3);
    expect(
      verifyQueue.messages.every((message) => (message as { reference: string }).reference === reference),
    ).toBe(true);
    // A submitted journey is the worker's to finish: no drop-off meanwhile.
    expect(callbackQueue.sent).toEqual([]);
    // Ten minutes after the last resend, still no verdict: the job gives up, once, with a final callback.
    expect(await sentBy(submittedAt + 2 * HOUR)).toBe(3);
    expect(stored(reference)).toMatchObject({ state: 'FAILED', outcome: UNVERIFIED_OUTCOME });
    expect(callbacksFor(reference)).toEqual([{ reference, kind: 'final' }]);
  });

  it('a submission with its verdict in time is not sent again', async () => {
    await startCursor();
    const { token, reference } = await startedJourney({ transactions, clock }, { workflowId: 100 });
    await capture(token, USABLE_IMAGE);
    await submitJourney(journey, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined);
    await transactions.finish(
      reference,
      { verificationStatus: 'APPROVED_VERIFIED' },
      clock.now().toISOString(),
      'DONE',
    );
    for (let at = clock.now().getTime() + MINUTE; at <= T0 + 2 * HOUR; at += MINUTE) await runAt(at);
    expect(verifyQueue.messages).toHaveLength(0);
  });

  it('the cursor advances to the last whole minute run', async () => {
    await startCursor();
    expect(await runAt(T0 + 5 * MINUTE + 30_000)).toEqual({ buckets: 5, droppedOff: 0, verifyResent: 0 });
    expect(await cursors.get(DROP_OFF_JOB)).toBe(minuteBucket(T0 + 4 * MINUTE));
    expect(await runAt(T0 + 5 * MINUTE + 40_000)).toEqual({ buckets: 0, droppedOff: 0, verifyResent: 0 });
  });

  it('a late run catches up on every minute it missed', async () => {
    await startCursor();
    const early = await initiatedJourney({ transactions, clock }, { tokenLifetimeInMinutes: 10 });
    const late = await initiatedJourney({ transactions, clock }, { tokenLifetimeInMinutes: 90 });
    const notYet = await initiatedJourney({ transactions, clock }, { tokenLifetimeInMinutes: 180 });
    // The job was down for two hours.
    expect(await runAt(T0 + 2 * HOUR)).toEqual({ buckets: 120, droppedOff: 2, verifyResent: 0 });
    expect(stored(early.reference)?.state).toBe('FAILED');
    expect(stored(late.reference)?.state).toBe('FAILED');
    expect(stored(notYet.reference)?.state).toBe('INITIATED');
    expect(await cursors.get(DROP_OFF_JOB)).toBe(minuteBucket(T0 + 2 * HOUR - MINUTE));
  });

  it('the first run without a cursor looks back a day', async () => {
    const { reference } = await initiatedJourney({ transactions, clock }, { tokenLifetimeInMinutes: 10 });
    await runAt(T0 + 20 * HOUR);
    expect(stored(reference)?.outcome).toEqual({ verificationStatus: 'NO_ID_UPLOADED' });
  });

  it('two runs at the same time drop a transaction off once', async () => {
    await startCursor();
    const { reference } = await startedJourney({ transactions, clock });
    clock.advance(16 * MINUTE);
    const results = await Promise.all([runDropOffs(deps), runDropOffs(deps)]);
    expect(results.map((result) => result.droppedOff).sort()).toEqual([0, 1]);
    expect(callbacksFor(reference)).toHaveLength(1);
  });

  it('a record already gone (purged or deleted) is passed over, and the cursor moves on', async () => {
    await startCursor();
    const { reference } = await startedJourney({ transactions, clock });
    laggingIndex();
    await transactions.erase(reference, clock.now().toISOString());
    transactions.dueForDropOff = async () => [reference];
    expect(await runAt(T0 + 20 * MINUTE)).toMatchObject({ droppedOff: 0 });
    expect(callbackQueue.sent).toEqual([]);
    expect(await cursors.get(DROP_OFF_JOB)).toBe(minuteBucket(T0 + 19 * MINUTE));
  });

  describe('exactly one final callback when the job races the journey or the worker', () => {
    /** Runs `meanwhile` once, right after the job has read `reference`. */
    function interleave(reference: string, meanwhile: () => Promise<unknown>) {
      const get = transactions.get.bind(transactions);
      let done = false;
      transactions.get = async (ref) => {
        const transaction = await get(ref);
        if (ref === reference && !done) {
          done = true;
          await meanwhile();
        }
        return transaction;
      };
    }

    const verifyDeps = () => ({
      transactions,
      images: journey.images,
      inspector: journey.inspector,
      mrz: { read: async () => mrzReading() },
      barcode: { readPdf417: async () => undefined },
      faces: { compare: async () => ({ selfieFaces: 1, documentFaces: 1, similarity: 0.8 }) },
      callbackQueue,
      clock,
    });

    async function idleAndReady() {
      await startCursor();
      const { token, reference } = await startedJourney({ transactions, clock }, { workflowId: 100 });
      await capture(token, USABLE_IMAGE);
      clock.advance(15 * MINUTE + MINUTE);
      return { token, reference };
    }

    it('the user submits and the worker finishes while the job decides: the worker’s verdict stands', async () => {
      const { token, reference } = await idleAndReady();
      interleave(reference, async () => {
        await submitJourney(
          journey,
          token,
          { country: 'AUT', idType: 'PASSPORT', embedded: false },
          undefined,
        );
        await verifyTransaction(verifyDeps(), reference);
      });
      expect(await runDropOffs(deps)).toMatchObject({ droppedOff: 0 });
      expect(stored(reference)?.outcome?.verificationStatus).toBe('APPROVED_VERIFIED');
      expect(callbacksFor(reference)).toHaveLength(1);
    });

    // The job's `finish` is conditional on "not yet finished" only, so a submission landing between
    // its read and its write is still dropped off: one verdict, but not the user's (see the report).
    it('the user submits while the job decides: the submission wins, the worker verifies, one callback', async () => {
      const { token, reference } = await idleAndReady();
      interleave(reference, () =>
        submitJourney(journey, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined),
      );
      expect(await runDropOffs(deps)).toMatchObject({ droppedOff: 0 });
      expect(stored(reference)?.state).toBe('SUBMITTED');
      expect(await verifyTransaction(verifyDeps(), reference)).toBe('verified');
      expect(stored(reference)?.outcome?.verificationStatus).not.toBe('NO_ID_UPLOADED');
      expect(callbacksFor(reference)).toHaveLength(1);
    });

    it('the third refusal ends the journey while the job decides: one callback', async () => {
      await startCursor();
      const { token, reference } = await startedJourney({ transactions, clock });
      await capture(token, Buffer.from('BLURRED'));
      await capture(token, Buffer.from('BLURRED'));
      clock.advance(16 * MINUTE);
      interleave(reference, () => capture(token, Buffer.from('GLARE')));
      expect(await runDropOffs(deps)).toMatchObject({ droppedOff: 0 });
      expect(stored(reference)?.outcome?.rejectReason).toEqual(rejectReasonOf('GLARE'));
      expect(callbacksFor(reference)).toHaveLength(1);
    });
  });
});
