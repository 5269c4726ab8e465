import { beforeEach, describe, expect, it } from 'vitest';
import { JourneyErrorCode, SessionRejected, ValidationError } from '#domain/errors';
import { rejectReasonOf } from '#domain/image-rules';
import { type CaptureSide, MAX_UPLOAD_BYTES, UPLOAD_URL_LIFETIME_SECONDS } from '#domain/journey';
import { checkCapture, issueUpload, type JourneyDeps, submitJourney } from '#use-cases/journey';
import {
  FakeClock,
  FakeImageInspector,
  InMemoryImageStore,
  InMemoryTransactions,
  MINUTE,
  RecordingQueue,
  USABLE_IMAGE,
} from './in-memory-ports.ts';
import { initiatedJourney, startedJourney } from './transaction-fixtures.ts';

/** The journey after the session opened: presigned uploads, the acceptance loop, submission. */

let clock: FakeClock;
let transactions: InMemoryTransactions;
let images: InMemoryImageStore;
let inspector: FakeImageInspector;
let callbackQueue: RecordingQueue;
let deps: JourneyDeps;
let ids: number;

beforeEach(() => {
  clock = new FakeClock('2018-07-03T08:23:12.494Z');
  transactions = new InMemoryTransactions(clock);
  images = new InMemoryImageStore();
  inspector = new FakeImageInspector();
  callbackQueue = new RecordingQueue();
  ids = 0;
  deps = {
    transactions,
    images,
    inspector,
    callbackQueue,
    clock,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  };
});

const start = (request: Record<string, unknown> = {}) => startedJourney({ transactions, clock }, request);

async function stored(reference: string) {
  const transaction = transactions.transactions.get(reference);
  if (!transaction) throw new Error('no transaction');
  return transaction;
}

async function rejectedWith(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SessionRejected);
  return (error as SessionRejected).errorCode;
}

async function issuesOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map(({ field, rule }) => ({ field, rule }));
}

/** Uploads `bytes` under a freshly issued key, as the browser does, and has it checked. */
async function capture(
  token: string,
  side: CaptureSide,
  { bytes = USABLE_IMAGE, source = 'upload' as 'camera' | 'upload', contentType = 'image/jpeg' } = {},
) {
  const ticket = await issueUpload(deps, token, {
    side,
    contentType: 'image/jpeg',
    size: bytes.length,
    source,
  });
  images.upload(ticket.key, bytes, contentType, { source });
  return checkCapture(deps, token, { side, key: ticket.key });
}

describe('issueUpload', () => {
  it('presigns one object under a key the server chose for this transaction and side', async () => {
    const { token, reference } = await start();
    const ticket = await issueUpload(deps, token, {
      side: 'front',
      contentType: 'image/png',
      size: 1000,
      source: 'camera',
    });
    expect(ticket).toEqual({
      url: 'https://images.example.test/bucket',
      fields: { key: ticket.key, 'Content-Type': 'image/png' },
      key: `tx/${reference}/front/00000000-0000-4000-8000-000000000001`,
      maxBytes: MAX_UPLOAD_BYTES,
      expiresAt: new Date(clock.now().getTime() + UPLOAD_URL_LIFETIME_SECONDS * 1000).toISOString(),
    });
    expect(images.presigned).toEqual([
      {
        key: ticket.key,
        contentType: 'image/png',
        maxBytes: MAX_UPLOAD_BYTES,
        expiresInSeconds: UPLOAD_URL_LIFETIME_SECONDS,
        metadata: { source: 'camera' },
      },
    ]);
  });

  it('issues a new key on every call', async () => {
    const { token, reference } = await start();
    const request = { side: 'back', contentType: 'image/jpeg', size: 10, source: 'upload' } as const;
    const first = await issueUpload(deps, token, request);
    const second = await issueUpload(deps, token, request);
    expect(first.key).not.toBe(second.key);
    expect(second.key).toBe(`tx/${reference}/back/00000000-0000-4000-8000-000000000002`);
  });

  it.each([
    [100, 'camera', true],
    [100, 'upload', true],
    [101, 'camera', true],
    [101, 'upload', false],
    [102, 'camera', false],
    [102, 'upload', true],
  ] as const)('workflow %i, source %s: allowed %s', async (workflowId, source, allowed) => {
    const { token } = await start({ workflowId });
    const call = issueUpload(deps, token, { side: 'front', contentType: 'image/jpeg', size: 10, source });
    if (allowed) {
      await expect(call).resolves.toMatchObject({ maxBytes: MAX_UPLOAD_BYTES });
    } else {
      expect(await issuesOf(call)).toEqual([{ field: 'source', rule: 'capture-method' }]);
      expect(images.presigned).toEqual([]);
    }
  });

  it('a selfie only in ID + Identity workflows', async () => {
    const idOnly = await start({ workflowId: 100 });
    const face = { side: 'face', contentType: 'image/jpeg', size: 10, source: 'camera' } as const;
    expect(await issuesOf(issueUpload(deps, idOnly.token, face))).toEqual([
      { field: 'side', rule: 'identity-verification' },
    ]);
    const identity = await start({ workflowId: 200 });
    await expect(issueUpload(deps, identity.token, face)).resolves.toMatchObject({
      key: expect.stringMatching(`^tx/${identity.reference}/face/`),
    });
  });

  it('a journey whose session was never opened is told to open it', async () => {
    const { token } = await initiatedJourney({ transactions, clock });
    const call = issueUpload(deps, token, {
      side: 'front',
      contentType: 'image/jpeg',
      size: 10,
      source: 'camera',
    });
    expect(await issuesOf(call)).toEqual([{ field: '(session)', rule: 'session-open' }]);
  });
});

describe('every journey call checks the token and the session', () => {
  type Call = (token: string | undefined, reference: string) => Promise<unknown>;
  const calls: [string, Call][] = [
    [
      'issueUpload',
      (token) =>
        issueUpload(deps, token, { side: 'front', contentType: 'image/jpeg', size: 10, source: 'camera' }),
    ],
    [
      'checkCapture',
      (token, reference) =>
        checkCapture(deps, token, {
          side: 'front',
          key: `tx/${reference}/front/00000000-0000-4000-8000-000000000009`,
        }),
    ],
    [
      'submitJourney',
      (token) =>
        submitJourney(deps, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined),
    ],
  ];

  it.each(calls)('%s: no token or a token that is not valid → 9200', async (_name, call) => {
    const { token, reference } = await start();
    expect(await rejectedWith(call(undefined, reference))).toBe(JourneyErrorCode.tokenInvalid);
    expect(
      await rejectedWith(call(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, reference)),
    ).toBe(JourneyErrorCode.tokenInvalid);
  });

  it.each(calls)('%s: at the token’s expiry, after the journey started → 9210', async (_name, call) => {
    const { token, reference } = await start();
    clock.advance(30 * MINUTE);
    expect(await rejectedWith(call(token, reference))).toBe(JourneyErrorCode.sessionExpired);
  });

  it.each(calls)('%s: after submission → 9210', async (_name, call) => {
    const { token, reference } = await start({ workflowId: 100 });
    await capture(token, 'front');
    await submitJourney(deps, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined);
    expect(await rejectedWith(call(token, reference))).toBe(JourneyErrorCode.sessionExpired);
  });
});

describe('checkCapture', () => {
  it.each([
    [
      'another transaction’s key',
      (_reference: string, other: string) => `tx/${other}/front/00000000-0000-4000-8000-000000000001`,
    ],
    [
      'another side’s key',
      (reference: string) => `tx/${reference}/back/00000000-0000-4000-8000-000000000001`,
    ],
    ['a key the server could not have chosen', (reference: string) => `tx/${reference}/front/../../secret`],
    ['a key outside the transaction', () => 'public/front.jpg'],
  ])('refuses %s, without reading it or counting an attempt', async (_name, keyOf) => {
    const { token, reference } = await start();
    const other = await start();
    const key = keyOf(reference, other.reference);
    images.upload(key, USABLE_IMAGE, 'image/jpeg');
    expect(await issuesOf(checkCapture(deps, token, { side: 'front', key }))).toEqual([
      { field: 'key', rule: 'issued-key' },
    ]);
    expect(inspector.calls.intake).toBe(0);
    expect((await stored(reference)).refusedAttempts).toBeUndefined();
  });

  it('nothing uploaded under the key → 400 `uploaded`, not an attempt', async () => {
    const { token, reference } = await start();
    const ticket = await issueUpload(deps, token, {
      side: 'front',
      contentType: 'image/jpeg',
      size: 10,
      source: 'camera',
    });
    expect(await issuesOf(checkCapture(deps, token, { side: 'front', key: ticket.key }))).toEqual([
      { field: 'key', rule: 'uploaded' },
    ]);
    expect((await stored(reference)).refusedAttempts).toBeUndefined();
  });

  it('"no document" refuses a camera capture, not an upload (a scan or a cropped photo has no surroundings)', async () => {
    const { token } = await start();
    expect(
      await capture(token, 'front', { bytes: Buffer.from('NO_DOCUMENT'), source: 'camera' }),
    ).toMatchObject({
      accepted: false,
      reason: 'NO_DOCUMENT',
    });
    expect(await capture(token, 'front', { bytes: Buffer.from('NO_DOCUMENT'), source: 'upload' })).toEqual({
      accepted: true,
    });
    // Any other verdict refuses an upload as it does a photo.
    expect(await capture(token, 'front', { bytes: Buffer.from('BLURRED'), source: 'upload' })).toMatchObject({
      accepted: false,
      reason: 'BLURRED',
    });
  });

  it('an accepted capture is kept with its key, type, source and time', async () => {
    const { token, reference } = await start({ workflowId: 200 });
    expect(await capture(token, 'front', { source: 'camera', contentType: 'image/png' })).toEqual({
      accepted: true,
    });
    const transaction = await stored(reference);
    expect(transaction.captures?.front).toEqual({
      key: `tx/${reference}/front/00000000-0000-4000-8000-000000000001`,
      contentType: 'image/png',
      source: 'camera',
      acceptedAt: clock.now().toISOString(),
    });
    expect(transaction.lastActivityAt).toBe(clock.now().toISOString());
    expect(transaction.firstAttemptAt).toBe(clock.now().toISOString());
    expect(await capture(token, 'face', { source: 'upload' })).toEqual({ accepted: true });
    expect((await stored(reference)).captures?.face?.source).toBe('upload');
    expect(inspector.kinds).toEqual(['document', 'selfie']);
  });

  it('an object without a source in its metadata counts as an upload', async () => {
    const { token, reference } = await start();
    const ticket = await issueUpload(deps, token, {
      side: 'front',
      contentType: 'image/jpeg',
      size: 2,
      source: 'camera',
    });
    images.upload(ticket.key, USABLE_IMAGE, 'image/jpeg');
    await checkCapture(deps, token, { side: 'front', key: ticket.key });
    expect((await stored(reference)).captures?.front?.source).toBe('upload');
  });

  it('counts refusals, and says how many attempts are left', async () => {
    const { token, reference } = await start();
    expect(await capture(token, 'front', { bytes: Buffer.from('BLURRED') })).toEqual({
      accepted: false,
      reason: 'BLURRED',
      attempt: 1,
      attemptsLeft: 2,
    });
    clock.advance(MINUTE);
    expect(await capture(token, 'back', { bytes: Buffer.from('NOT_AN_IMAGE') })).toEqual({
      accepted: false,
      reason: 'NOT_AN_IMAGE',
      attempt: 2,
      attemptsLeft: 1,
    });
    const transaction = await stored(reference);
    expect(transaction).toMatchObject({
      state: 'STARTED',
      refusedAttempts: 2,
      lastRejectReason: 'NOT_AN_IMAGE',
      lastActivityAt: clock.now().toISOString(),
    });
    expect(callbackQueue.sent).toEqual([]);
  });

  it('an object over the limit, or not of an image type, is refused without decoding it', async () => {
    const { token } = await start();
    expect(await capture(token, 'front', { bytes: Buffer.alloc(MAX_UPLOAD_BYTES + 1) })).toMatchObject({
      reason: 'TOO_LARGE',
      attempt: 1,
    });
    expect(await capture(token, 'front', { contentType: 'image/gif' })).toMatchObject({
      reason: 'NOT_AN_IMAGE',
      attempt: 2,
    });
    expect(inspector.calls.intake).toBe(0);
  });

  it('the third refusal ends the journey: 9835, FAILED with the reject reason, one callback queued', async () => {
    const { token, reference } = await start();
    await capture(token, 'front', { bytes: Buffer.from('BLURRED') });
    await capture(token, 'front', { bytes: Buffer.from('BLURRED') });
    clock.advance(MINUTE);
    expect(await capture(token, 'front', { bytes: Buffer.from('GLARE') })).toEqual({
      accepted: false,
      reason: 'GLARE',
      attempt: 3,
      attemptsLeft: 0,
      errorCode: JourneyErrorCode.noAcceptableSubmission,
    });
    const transaction = await stored(reference);
    expect(transaction).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'ERROR_NOT_READABLE_ID', rejectReason: rejectReasonOf('GLARE') },
      completedAt: clock.now().toISOString(),
      callbackQueuedAt: clock.now().toISOString(),
    });
    expect(callbackQueue.sent).toEqual([{ message: { reference, kind: 'final' } }]);
    // The journey is over: the next call is refused, and nothing more is queued.
    expect(await rejectedWith(capture(token, 'front'))).toBe(JourneyErrorCode.sessionExpired);
    expect(callbackQueue.sent).toHaveLength(1);
  });

  it('a capture finishing after the journey moved on (another tab submitted) → 9210, nothing recorded', async () => {
    const { token, reference } = await start({ workflowId: 100 });
    await capture(token, 'front');
    const ticket = await issueUpload(deps, token, {
      side: 'back',
      contentType: 'image/jpeg',
      size: 2,
      source: 'camera',
    });
    images.upload(ticket.key, USABLE_IMAGE, 'image/jpeg');
    // Submitted between this request's session check and its write.
    const recordCapture = transactions.recordCapture.bind(transactions);
    transactions.recordCapture = async (...args) => {
      transactions.update(reference, { state: 'SUBMITTED' });
      return recordCapture(...args);
    };
    expect(await rejectedWith(checkCapture(deps, token, { side: 'back', key: ticket.key }))).toBe(
      JourneyErrorCode.sessionExpired,
    );
    expect((await stored(reference)).captures?.back).toBeUndefined();
  });
});

describe('submitJourney', () => {
  it('submits once, with the document, source and client IP, in one checked write and no read', async () => {
    const { token, reference } = await start({ workflowId: 100 });
    await capture(token, 'front', { source: 'camera' });
    await capture(token, 'back', { source: 'camera' });
    clock.advance(MINUTE);
    const reads = transactions.calls.get;
    expect(
      await submitJourney(deps, token, { country: 'DEU', idType: 'ID_CARD', embedded: true }, '203.0.113.9'),
    ).toEqual({ transactionStatus: 'SUCCESS' });
    expect(await stored(reference)).toMatchObject({
      state: 'SUBMITTED',
      document: { country: 'DEU', idType: 'ID_CARD' },
      source: 'WEB_CAM',
      clientIp: '203.0.113.9',
      submittedAt: clock.now().toISOString(),
      lastActivityAt: clock.now().toISOString(),
    });
    // The token check and every rule were the write's condition (the table's stream queues it).
    expect(transactions.calls).toMatchObject({ get: reads, submitChecked: 1, submit: 0 });

    const again = submitJourney(
      deps,
      token,
      { country: 'DEU', idType: 'ID_CARD', embedded: true },
      undefined,
    );
    expect(await rejectedWith(again)).toBe(JourneyErrorCode.sessionExpired);
    expect(transactions.calls.submit).toBe(0);
  });

  it.each([
    [true, ['camera', 'camera'], 'WEB_CAM'],
    [true, ['upload', 'upload'], 'WEB_UPLOAD'],
    [true, ['camera', 'upload'], 'WEB'],
    [false, ['camera', 'camera'], 'REDIRECT_CAM'],
    [false, ['upload', 'upload'], 'REDIRECT_UPLOAD'],
    [false, ['upload', 'camera'], 'REDIRECT'],
  ] as const)(
    'embedded %s, front and back by %j → idScanSource %s',
    async (embedded, [front, back], source) => {
      const { token, reference } = await start({ workflowId: 100 });
      await capture(token, 'front', { source: front });
      await capture(token, 'back', { source: back });
      await submitJourney(deps, token, { country: 'AUT', idType: 'DRIVING_LICENSE', embedded }, undefined);
      expect((await stored(reference)).source).toBe(source);
    },
  );

  it('the selfie’s source does not count in idScanSource', async () => {
    const { token, reference } = await start({ workflowId: 200 });
    await capture(token, 'front', { source: 'upload' });
    await capture(token, 'face', { source: 'camera' });
    await submitJourney(deps, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined);
    expect((await stored(reference)).source).toBe('REDIRECT_UPLOAD');
  });

  it('names every side not yet accepted', async () => {
    const { token, reference } = await start({ workflowId: 200 });
    await capture(token, 'front');
    const call = submitJourney(
      deps,
      token,
      { country: 'AUT', idType: 'ID_CARD', embedded: false },
      undefined,
    );
    expect(await issuesOf(call)).toEqual([
      { field: 'back', rule: 'captured' },
      { field: 'face', rule: 'captured' },
    ]);
    expect((await stored(reference)).state).toBe('STARTED');
  });

  it('a passport needs its photo page only; a refused side does not count as captured', async () => {
    const { token } = await start({ workflowId: 100 });
    await capture(token, 'front', { bytes: Buffer.from('BLURRED') });
    const call = submitJourney(
      deps,
      token,
      { country: 'AUT', idType: 'PASSPORT', embedded: false },
      undefined,
    );
    expect(await issuesOf(call)).toEqual([{ field: 'front', rule: 'captured' }]);
    await capture(token, 'front');
    await expect(
      submitJourney(deps, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined),
    ).resolves.toEqual({ transactionStatus: 'SUCCESS' });
  });

  it('a preset fixes the country and the type', async () => {
    const { token } = await start({
      workflowId: 100,
      presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }],
    });
    await capture(token, 'front');
    await capture(token, 'back');
    const call = submitJourney(
      deps,
      token,
      { country: 'DEU', idType: 'ID_CARD', embedded: false },
      undefined,
    );
    expect(await issuesOf(call)).toEqual([
      { field: 'country', rule: 'preset' },
      { field: 'idType', rule: 'preset' },
    ]);
    expect(transactions.calls.submit).toBe(0);
    await expect(
      submitJourney(deps, token, { country: 'AUT', idType: 'PASSPORT', embedded: false }, undefined),
    ).resolves.toEqual({ transactionStatus: 'SUCCESS' });
  });

  it('a country that is not an ISO 3166-1 alpha-3 code is refused', async () => {
    const { token } = await start({ workflowId: 100 });
    await capture(token, 'front');
    const call = submitJourney(
      deps,
      token,
      { country: 'ZZZ', idType: 'PASSPORT', embedded: false },
      undefined,
    );
    expect(await issuesOf(call)).toEqual([{ field: 'country', rule: 'iso-3166-alpha-3' }]);
  });
});
