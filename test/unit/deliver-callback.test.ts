import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SQS_MAX_DELAY_SECONDS, STANDARD_WEBHOOKS_SCHEDULE_SECONDS } from '#domain/callback';
import type { Customer } from '#domain/customer';
import { recordExpiresAt } from '#domain/transaction';
import {
  CallbackMessage,
  cachedCustomers,
  type DeliverDeps,
  deliverCallback,
  deliverCallbacks,
  webhookIdOf,
} from '#use-cases/deliver-callback';
import {
  FakeClock,
  InMemoryCallbackLog,
  InMemoryCustomers,
  InMemoryTransactions,
  RecordingQueue,
  ScriptedCallbackSender,
} from './in-memory-ports.ts';
import { APPROVED, CUSTOMER_ID, customerWith, transactionFixture } from './transaction-fixtures.ts';

/** One attempt of a transaction's final callback: sign, send, record, and schedule what comes next. */

const REF = 'a1b2c3d4-0000-4000-8000-000000000001';
const WEBHOOK_ID = `msg_final_${REF}`;
const URL_ = 'https://callbacks.example.com/netverify';
const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
const FAILED = { outcome: 'retry', statusCode: 500, errorClass: 'http_status' } as const;

let clock: FakeClock;
let transactions: InMemoryTransactions;
let customers: InMemoryCustomers;
let log: InMemoryCallbackLog;
let sender: ScriptedCallbackSender;
let callbackQueue: RecordingQueue;
let deps: DeliverDeps;

async function withCustomer(change: Partial<Customer> = {}) {
  customers.customers.set(CUSTOMER_ID, {
    ...customerWith(),
    webhookSecrets: [{ secret: SECRET, createdAt: '2018-01-01T00:00:00.000Z' }],
    ...change,
  });
}

beforeEach(async () => {
  clock = new FakeClock('2018-07-03T09:00:00.000Z');
  transactions = new InMemoryTransactions(clock);
  customers = new InMemoryCustomers(clock);
  log = new InMemoryCallbackLog();
  sender = new ScriptedCallbackSender();
  callbackQueue = new RecordingQueue();
  deps = {
    transactions,
    customers,
    log,
    sender,
    callbackQueue,
    clock,
    schedule: STANDARD_WEBHOOKS_SCHEDULE_SECONDS,
    publicBaseUrl: 'https://verify.example.com',
  };
  await withCustomer();
  await transactions.create(
    transactionFixture({
      reference: REF,
      state: 'DONE',
      startedAt: '2018-07-03T08:05:00.000Z',
      source: 'WEB_UPLOAD',
      document: { country: 'AUT', idType: 'PASSPORT' },
      outcome: APPROVED,
      completedAt: '2018-07-03T08:59:00.000Z',
      captures: {
        front: {
          key: `tx/${REF}/front/00000000-0000-4000-8000-000000000001`,
          contentType: 'image/jpeg',
          source: 'upload',
          acceptedAt: '2018-07-03T08:10:00.000Z',
        },
      },
    }),
  );
});

const first = (fields: Record<string, unknown> = {}) =>
  CallbackMessage.parse({ reference: REF, kind: 'final', ...fields });

const keepUntil = () => {
  const transaction = transactions.transactions.get(REF);
  if (!transaction) throw new Error('no transaction');
  return recordExpiresAt(transaction);
};

const bodyOf = (index = 0) => new URLSearchParams(sender.requests[index]?.body);

describe('deliverCallback', () => {
  it('delivered on the first attempt: one signed request, one attempt logged, nothing queued', async () => {
    expect(await deliverCallback(deps, first())).toBe('delivered');
    expect(sender.requests).toEqual([
      {
        url: URL_,
        webhookId: WEBHOOK_ID,
        timestamp: clock.now(),
        body: expect.any(String),
        secrets: [SECRET],
      },
    ]);
    expect(Object.fromEntries(bodyOf())).toMatchObject({
      callBackType: 'NETVERIFYID',
      jumioIdScanReference: REF,
      verificationStatus: 'APPROVED_VERIFIED',
      idScanStatus: 'SUCCESS',
      idScanSource: 'WEB_UPLOAD',
      idNumber: 'P1234567',
      idScanImage: `https://verify.example.com/api/netverify/v2/scans/${REF}/images/front`,
      callbackDate: clock.now().toISOString(),
    });
    expect(bodyOf().has('idScanImageBackside')).toBe(false);
    expect(log.recorded).toEqual([
      {
        attempt: {
          reference: REF,
          webhookId: WEBHOOK_ID,
          attempt: 1,
          at: clock.now().toISOString(),
          outcome: 'delivered',
          statusCode: 200,
          latencyMs: 12,
        },
        keepUntil: keepUntil(),
      },
    ]);
    expect(callbackQueue.sent).toEqual([]);
    expect(log.letters).toEqual([]);
  });

  it('a failed attempt is logged and re-enqueued with attempts+1, notBefore on the schedule', async () => {
    sender.answer(FAILED);
    expect(await deliverCallback(deps, first())).toBe('retry-scheduled');
    const nextAt = new Date(clock.now().getTime() + 5_000).toISOString();
    expect(callbackQueue.sent).toEqual([
      {
        message: { reference: REF, kind: 'final', webhookId: WEBHOOK_ID, attempts: 1, notBefore: nextAt },
        delaySeconds: 5,
      },
    ]);
    expect(log.recorded.map(({ attempt }) => attempt)).toEqual([
      {
        reference: REF,
        webhookId: WEBHOOK_ID,
        attempt: 1,
        at: clock.now().toISOString(),
        outcome: 'retry',
        statusCode: 500,
        errorClass: 'http_status',
        latencyMs: 12,
        nextAttemptAt: nextAt,
      },
    ]);
    // The queued message is one the consumer accepts.
    expect(() => CallbackMessage.parse(callbackQueue.messages[0])).not.toThrow();
  });

  it('a wait longer than SQS allows is enqueued with its 15-minute maximum', async () => {
    sender.answer(FAILED);
    // The third attempt fails: the fourth waits 30 minutes.
    expect(await deliverCallback(deps, first({ webhookId: WEBHOOK_ID, attempts: 2 }))).toBe(
      'retry-scheduled',
    );
    expect(callbackQueue.sent).toEqual([
      {
        message: {
          reference: REF,
          kind: 'final',
          webhookId: WEBHOOK_ID,
          attempts: 3,
          notBefore: new Date(clock.now().getTime() + 1800_000).toISOString(),
        },
        delaySeconds: SQS_MAX_DELAY_SECONDS,
      },
    ]);
  });

  it('a receiver’s Retry-After lengthens the wait', async () => {
    sender.answer({ ...FAILED, statusCode: 503, retryAfterSeconds: 600 });
    await deliverCallback(deps, first());
    expect(callbackQueue.sent[0]).toMatchObject({
      message: { notBefore: new Date(clock.now().getTime() + 600_000).toISOString() },
      delaySeconds: 600,
    });
  });

  it.each([
    [1000, SQS_MAX_DELAY_SECONDS],
    [100, 100],
    [0.2, 1],
  ])(
    'a message arriving %ss before its notBefore is re-enqueued for the rest (%ss), nothing sent',
    async (early, delay) => {
      const message = first({
        webhookId: WEBHOOK_ID,
        attempts: 4,
        notBefore: new Date(clock.now().getTime() + early * 1000).toISOString(),
      });
      expect(await deliverCallback(deps, message)).toBe('waiting');
      expect(callbackQueue.sent).toEqual([{ message, delaySeconds: delay }]);
      expect(sender.requests).toEqual([]);
      expect(log.recorded).toEqual([]);
    },
  );

  it('a message arriving at its notBefore is attempted', async () => {
    const message = first({ webhookId: WEBHOOK_ID, attempts: 4, notBefore: clock.now().toISOString() });
    expect(await deliverCallback(deps, message)).toBe('delivered');
    expect(log.recorded.map(({ attempt }) => attempt.attempt)).toEqual([5]);
  });

  it('follows the whole schedule through SQS’s 15-minute hops, then dead-letters; one webhook-id throughout', async () => {
    sender.answer(...Array.from({ length: 20 }, () => FAILED));
    const started = clock.now().getTime();
    const steps: string[] = [];
    let message: unknown = first();
    for (let hop = 0; message !== undefined && hop < 1000; hop++) {
      steps.push(await deliverCallback(deps, CallbackMessage.parse(message)));
      const next = callbackQueue.sent.shift();
      message = next?.message;
      if (next) {
        expect(next.delaySeconds).toBeLessThanOrEqual(SQS_MAX_DELAY_SECONDS);
        clock.advance((next.delaySeconds ?? 0) * 1000);
      }
    }
    expect(steps.filter((step) => step !== 'waiting')).toEqual([
      ...Array.from({ length: 9 }, () => 'retry-scheduled'),
      'dead-lettered',
    ]);
    expect(sender.requests).toHaveLength(STANDARD_WEBHOOKS_SCHEDULE_SECONDS.length);
    expect(new Set(sender.requests.map((request) => request.webhookId))).toEqual(new Set([WEBHOOK_ID]));
    // Each attempt came after the schedule's wait since the one before.
    const times = sender.requests.map((request) => request.timestamp.getTime() - started);
    const gaps = times.slice(1).map((at, i) => (at - (times[i] ?? 0)) / 1000);
    expect(gaps).toEqual(STANDARD_WEBHOOKS_SCHEDULE_SECONDS.slice(1));
    expect(log.recorded.map(({ attempt }) => attempt.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(log.recorded.at(-1)?.attempt).not.toHaveProperty('nextAttemptAt');
    expect(log.letters).toEqual([
      {
        letter: {
          customerId: CUSTOMER_ID,
          reference: REF,
          webhookId: WEBHOOK_ID,
          kind: 'final',
          at: clock.now().toISOString(),
          attempts: 10,
          lastErrorClass: 'http_status',
          lastStatusCode: 500,
        },
        keepUntil: keepUntil(),
      },
    ]);
  });

  it('a short schedule dead-letters after its last step', async () => {
    sender.answer(FAILED, FAILED);
    deps.schedule = [0, 1];
    expect(await deliverCallback(deps, first())).toBe('retry-scheduled');
    clock.advance(1000);
    expect(await deliverCallback(deps, CallbackMessage.parse(callbackQueue.sent.pop()?.message))).toBe(
      'dead-lettered',
    );
    expect(callbackQueue.sent).toEqual([]);
    expect(log.letters).toHaveLength(1);
  });

  it('410 Gone stops: logged, not retried, no dead letter', async () => {
    sender.answer({ outcome: 'gone', statusCode: 410, errorClass: 'http_status' });
    expect(await deliverCallback(deps, first())).toBe('gone');
    expect(log.recorded.map(({ attempt }) => attempt.outcome)).toEqual(['gone']);
    expect(callbackQueue.sent).toEqual([]);
    expect(log.letters).toEqual([]);
  });

  it('an attempt refused by our own rules (SSRF guard) is retried on the schedule', async () => {
    sender.answer({ outcome: 'refused', errorClass: 'ssrf_blocked' });
    expect(await deliverCallback(deps, first())).toBe('retry-scheduled');
    expect(log.recorded[0]?.attempt).toMatchObject({ outcome: 'refused', errorClass: 'ssrf_blocked' });
    expect(log.recorded[0]?.attempt).not.toHaveProperty('statusCode');
  });

  it('a first message for a webhook-id already delivered sends nothing (SQS redelivered it)', async () => {
    await deliverCallback(deps, first());
    expect(await deliverCallback(deps, first())).toBe('delivered');
    expect(sender.requests).toHaveLength(1);
    expect(log.recorded).toHaveLength(1);
  });

  it('a replay is sent again, with the same webhook-id, counting its attempts from 1', async () => {
    await deliverCallback(deps, first());
    clock.advance(3_600_000);
    expect(await deliverCallback(deps, first({ replay: true }))).toBe('delivered');
    expect(sender.requests.map((request) => request.webhookId)).toEqual([WEBHOOK_ID, WEBHOOK_ID]);
    expect(log.recorded.map(({ attempt }) => [attempt.attempt, attempt.at])).toEqual([
      [1, '2018-07-03T09:00:00.000Z'],
      [1, '2018-07-03T10:00:00.000Z'],
    ]);
  });

  it('a first message after failed attempts only is sent', async () => {
    sender.answer(FAILED);
    await deliverCallback(deps, first());
    expect(await deliverCallback(deps, first())).toBe('delivered');
    expect(sender.requests).toHaveLength(2);
  });

  it('a deleted transaction sends nothing', async () => {
    await transactions.erase(REF, clock.now().toISOString());
    expect(await deliverCallback(deps, first())).toBe('nothing-to-send');
    expect(await deliverCallback(deps, first({ webhookId: WEBHOOK_ID, attempts: 3 }))).toBe(
      'nothing-to-send',
    );
    expect(sender.requests).toEqual([]);
    expect(callbackQueue.sent).toEqual([]);
    expect(log.recorded).toEqual([]);
  });

  it('a transaction without a result sends nothing', async () => {
    transactions.update(REF, { state: 'SUBMITTED', outcome: undefined });
    expect(await deliverCallback(deps, first())).toBe('nothing-to-send');
    expect(sender.requests).toEqual([]);
  });

  it('without a callback URL, in the transaction or the settings, nothing is sent', async () => {
    const options = { ...transactionFixture().options, callbackUrl: undefined };
    transactions.update(REF, { options });
    expect(await deliverCallback(deps, first())).toBe('nothing-to-send');
    expect(sender.requests).toEqual([]);
    await withCustomer({ settings: customerWith({ callbackUrl: 'https://portal.example.com/cb' }).settings });
    expect(await deliverCallback(deps, first())).toBe('delivered');
    expect(sender.requests[0]?.url).toBe('https://portal.example.com/cb');
  });

  it('the transaction’s callback URL wins over the portal’s', async () => {
    await withCustomer({ settings: customerWith({ callbackUrl: 'https://portal.example.com/cb' }).settings });
    await deliverCallback(deps, first());
    expect(sender.requests[0]?.url).toBe(URL_);
  });

  it('the body carries only the fields the customer’s data settings enable', async () => {
    await withCustomer({
      settings: customerWith({
        dataFields: {
          idNumber: false,
          firstName: false,
          lastName: true,
          dateOfBirth: false,
          expiryDate: false,
          personalNumber: false,
          mrzCheck: false,
        },
      }).settings,
    });
    await deliverCallback(deps, first());
    const body = bodyOf();
    for (const field of ['idNumber', 'idFirstName', 'idDob', 'idExpiry', 'personalNumber']) {
      expect(body.has(field), field).toBe(false);
    }
    expect(body.get('idLastName')).toBe('MUSTER');
    expect(body.get('idCheckMRZcode')).toBe('N/A');
  });

  it('during a secret rotation both secrets sign; a secret past its grace does not', async () => {
    const rotated = [
      { secret: SECRET, createdAt: '2018-07-03T08:00:00.000Z' },
      { secret: OLD_SECRET, createdAt: '2018-01-01T00:00:00.000Z', expiresAt: clock.now().getTime() + 1 },
    ];
    await withCustomer({ webhookSecrets: rotated });
    await deliverCallback(deps, first());
    expect(sender.requests[0]?.secrets).toEqual([SECRET, OLD_SECRET]);
    clock.advance(1);
    await deliverCallback(deps, first({ replay: true }));
    expect(sender.requests[1]?.secrets).toEqual([SECRET]);
  });

  it('the webhook id is derived from the reference and kind', () => {
    expect(webhookIdOf(REF, 'final')).toBe(WEBHOOK_ID);
  });
});

describe('deliverCallbacks: one SQS batch', () => {
  const OTHER = 'a1b2c3d4-0000-4000-8000-000000000002';
  const GONE = 'a1b2c3d4-0000-4000-8000-000000000003';

  beforeEach(async () => {
    const done = transactions.transactions.get(REF);
    if (!done) throw new Error('no transaction');
    await transactions.create({ ...done, reference: OTHER });
  });

  it('reads once, posts each, writes every attempt with one call, then queues the retries', async () => {
    sender.answer({ outcome: 'delivered', statusCode: 200 }, FAILED);
    const results = await deliverCallbacks(deps, [
      first(),
      first({ reference: OTHER }),
      first({ reference: GONE }),
    ]);
    expect(results).toEqual(['delivered', 'retry-scheduled', 'nothing-to-send']);
    expect(log.writes).toBe(1);
    expect(log.recorded.map(({ attempt }) => [attempt.reference, attempt.outcome])).toEqual([
      [REF, 'delivered'],
      [OTHER, 'retry'],
    ]);
    expect(callbackQueue.messages).toEqual([expect.objectContaining({ reference: OTHER, attempts: 1 })]);
  });

  it('a failed write fails the messages it held, queues no retry, and spares the others', async () => {
    sender.answer(FAILED);
    log.write = async () => {
      throw new Error('throttled');
    };
    const later = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const results = await deliverCallbacks(deps, [
      first(),
      first({ reference: OTHER, attempts: 3, webhookId: `msg_final_${OTHER}`, notBefore: later }),
    ]);
    expect(results[0]).toBeInstanceOf(Error);
    expect(results[1]).toBe('waiting');
    // Only the early one went back to the queue; the failed attempt's retry is SQS's redelivery.
    expect(callbackQueue.messages).toEqual([expect.objectContaining({ reference: OTHER, notBefore: later })]);
  });

  it('a first message delivered before, twice in one batch, is sent again by neither', async () => {
    await deliverCallback(deps, first());
    expect(await deliverCallbacks(deps, [first(), first()])).toEqual(['delivered', 'delivered']);
    expect(sender.requests).toHaveLength(1);
  });

  it('a replay is sent even when delivered before, with the same webhook-id', async () => {
    await deliverCallback(deps, first());
    expect(await deliverCallbacks(deps, [first({ replay: true })])).toEqual(['delivered']);
    expect(sender.requests.map((request) => request.webhookId)).toEqual([WEBHOOK_ID, WEBHOOK_ID]);
  });
});

describe('cachedCustomers', () => {
  it('reads a customer once within the time, again after it, and keeps no failed read', async () => {
    const cached = cachedCustomers(customers, clock, { ttlMs: 30_000 });
    await Promise.all([cached.get(CUSTOMER_ID), cached.get(CUSTOMER_ID)]);
    expect(customers.calls.get).toBe(1);
    clock.advance(29_999);
    expect((await cached.get(CUSTOMER_ID))?.customerId).toBe(CUSTOMER_ID);
    expect(customers.calls.get).toBe(1);
    clock.advance(1);
    await cached.get(CUSTOMER_ID);
    expect(customers.calls.get).toBe(2);

    let fail = true;
    const flaky = cachedCustomers(
      {
        get: async (id) => {
          if (fail) throw new Error('unavailable');
          return customers.get(id);
        },
      },
      clock,
    );
    await expect(flaky.get(CUSTOMER_ID)).rejects.toThrow('unavailable');
    fail = false;
    expect((await flaky.get(CUSTOMER_ID))?.customerId).toBe(CUSTOMER_ID);
  });
});

describe('the onAllSteps callback: images received', () => {
  const SUBMITTED = 'a1b2c3d4-0000-4000-8000-000000000004';

  beforeEach(async () => {
    const done = transactions.transactions.get(REF);
    if (!done) throw new Error('no transaction');
    const { outcome: _outcome, completedAt: _completedAt, ...rest } = done;
    await transactions.create({ ...rest, reference: SUBMITTED, state: 'SUBMITTED', source: 'API' });
  });

  it('is sent before any verdict, PENDING, with its own webhook-id; the verdict’s waits for one', async () => {
    const results = await deliverCallbacks(deps, [
      first({ reference: SUBMITTED, kind: 'received' }),
      first({ reference: SUBMITTED }),
    ]);
    expect(results).toEqual(['delivered', 'nothing-to-send']);
    expect(sender.requests.map((request) => request.webhookId)).toEqual([`msg_received_${SUBMITTED}`]);
    const form = Object.fromEntries(bodyOf());
    expect(form).toMatchObject({
      callBackType: 'NETVERIFYID',
      jumioIdScanReference: SUBMITTED,
      idScanStatus: 'PENDING',
      idScanSource: 'API',
      idScanImage: `https://verify.example.com/api/netverify/v2/scans/${SUBMITTED}/images/front`,
    });
    expect(form.verificationStatus).toBeUndefined();
    expect(form.idNumber).toBeUndefined();
  });

  it('for a transaction deleted meanwhile, says nothing', async () => {
    transactions.transactions.delete(SUBMITTED);
    expect(await deliverCallbacks(deps, [first({ reference: SUBMITTED, kind: 'received' })])).toEqual([
      'nothing-to-send',
    ]);
    expect(sender.requests).toEqual([]);
  });
});

describe('deliverCallbacks: a slow receiver holds back no one else', () => {
  it('writes the quick answers together at once, and the slow one in a group of its own', async () => {
    const OTHER = 'a1b2c3d4-0000-4000-8000-000000000005';
    const SLOW = 'a1b2c3d4-0000-4000-8000-000000000006';
    const done = transactions.transactions.get(REF);
    if (!done) throw new Error('no transaction');
    await transactions.create({ ...done, reference: OTHER });
    await transactions.create({ ...done, reference: SLOW });
    let answerSlow: () => void = () => undefined;
    const quick = deps.sender;
    deps.sender = {
      send: async (request) => {
        if (request.webhookId.endsWith(SLOW)) await new Promise<void>((resolve) => (answerSlow = resolve));
        return quick.send(request);
      },
    };
    const running = deliverCallbacks(deps, [
      first(),
      first({ reference: SLOW }),
      first({ reference: OTHER }),
    ]);
    // The two quick ones are recorded while the slow one is still unanswered.
    await vi.waitFor(() => expect(log.recorded).toHaveLength(2));
    expect(log.writes).toBe(1);
    answerSlow();
    expect(await running).toEqual(['delivered', 'delivered', 'delivered']);
    expect(log.writes).toBe(2);
    expect(log.recorded.map(({ attempt }) => attempt.reference)).toEqual([REF, OTHER, SLOW]);
  });
});
