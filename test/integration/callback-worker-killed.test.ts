import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dynamoCallbackLog } from '#adapters/callback-log';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import type { Customer, StoredCredential } from '#domain/customer';
import { sha256 } from '#domain/secrets';
import { CustomerSettings } from '#domain/settings';
import { deadLetterName, QUEUES, queueUrlVariable } from '#shared/queues';
import type { CallbackAttempt } from '#use-cases/ports';
import { systemClock } from '#use-cases/ports';
import { ensureQueue, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';
import { APPROVED, transactionFixture } from '../unit/transaction-fixtures.ts';
import { freshTable } from './fixtures.ts';

/**
 * Issue 9: "a worker killed mid-delivery loses nothing". The callback deliverer runs in a child
 * process (test/support/deliverer-child.ts: the Lambda handler under the local poller) against this
 * run's fauxqs and DynamoDB Local; the receiver is this file's HTTP server. While the receiver holds
 * callbacks open, the child gets SIGKILL; a fresh child then finishes the work. Every callback
 * arrives signed, under one webhook-id per transaction (a receiver that deduplicates on it sees each
 * once), the attempt log tells the same story as the receiver, and nothing is dead-lettered.
 *
 * Forty finished transactions, ten of each kind, by how the receiver treats the first child:
 * - quick: answered 200 at once; delivered, recorded and deleted from the queue before the kill.
 * - held: never answered; the first child is killed while waiting for the answer.
 * - stalled: answered 200 with a body that never ends: the receiver took the callback, the
 *   deliverer has not finished reading the answer, let alone recorded it.
 * - retried: the first attempt answered 500 (a retry is scheduled on the queue), the retry held.
 * The second child's callbacks are answered 200 at once.
 *
 * The kinds reach the queue in that order, each once the one before has settled (quick: done;
 * retried: the retry in flight), so that what the first child does with a message never depends on
 * which others share its SQS batch: the deliverer may work a batch as a whole (one write for all its
 * attempts), and a batch holding a held callback finishes nothing before the kill.
 */

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
/** Short, so the killed child's messages come back within seconds; longer than the first phase. */
const VISIBILITY_TIMEOUT_SECONDS = 5;
/** A retry one second after a failed attempt; five of them, which this test never exhausts. */
const RETRY_SCHEDULE = '0,1,1,1,1,1';
const KINDS = ['quick', 'held', 'stalled', 'retried'] as const;
type Kind = (typeof KINDS)[number];
const PER_KIND = 10;

// ── The receiver ────────────────────────────────────────────────────────────────────────────────────

interface Arrival {
  /** Which child sent it: each child forwards its callbacks to its own path. */
  child: string;
  reference: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered, if it answered at all. */
  status?: number;
  /** The response was ended: the sender could read the whole answer. */
  finished: boolean;
  /** The connection closed before the response ended. */
  cutOff: boolean;
}

const arrivals: Arrival[] = [];
const kindOf = new Map<string, Kind>();

function answer(arrival: Arrival, response: http.ServerResponse): void {
  const kind = kindOf.get(arrival.reference);
  const earlier = arrivals.filter((other) => other !== arrival && other.reference === arrival.reference);
  if (arrival.child !== 'first' || kind === 'quick') {
    arrival.status = 200;
    response.writeHead(200).end('ok');
  } else if (kind === 'stalled') {
    arrival.status = 200;
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('accepted; more to come');
  } else if (kind === 'retried' && earlier.length === 0) {
    arrival.status = 500;
    response.writeHead(500).end();
  }
  // held, and a retried one's retry: no answer while the first child lives.
}

const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const arrival: Arrival = {
      child: (request.url ?? '').split('/')[1] ?? '',
      reference: new URLSearchParams(body).get('jumioIdScanReference') ?? '',
      headers: request.headers,
      body,
      finished: false,
      cutOff: false,
    };
    arrivals.push(arrival);
    response.on('finish', () => {
      arrival.finished = true;
    });
    response.on('close', () => {
      if (!arrival.finished) arrival.cutOff = true;
    });
    answer(arrival, response);
  });
});

// ── The deliverer's processes ───────────────────────────────────────────────────────────────────────

interface Deliverer {
  name: string;
  process: ChildProcess;
  /** What it wrote, for the failure message. */
  output: string[];
}

const deliverers: Deliverer[] = [];

async function startDeliverer(name: string, env: NodeJS.ProcessEnv): Promise<Deliverer> {
  const child = fork(join(import.meta.dirname, '..', 'support', 'deliverer-child.ts'), [], {
    execArgv: [],
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const deliverer: Deliverer = { name, process: child, output: [] };
  deliverers.push(deliverer);
  const keep = (chunk: Buffer) => {
    deliverer.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    deliverer.output.splice(0, Math.max(0, deliverer.output.length - 200));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`deliverer ${name} not ready: ${tail()}`)), 15_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`deliverer ${name} exited (${code ?? signal}) before it was ready: ${tail()}`));
    });
  });
  return deliverer;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function stopDeliverer(deliverer: Deliverer, signal: NodeJS.Signals) {
  const { process: child } = deliverer;
  if (!alive(child)) return { code: child.exitCode, signal: child.signalCode };
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill(signal);
  const [code, received] = await exited;
  return { code, signal: received };
}

function tail(): string {
  return deliverers
    .map((deliverer) => `\n--- deliverer ${deliverer.name} ---\n${deliverer.output.slice(-40).join('\n')}`)
    .join('');
}

// ── Shared state and helpers ────────────────────────────────────────────────────────────────────────

const sqs = new SQSClient({
  endpoint: inject('sqsEndpoint'),
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});

afterAll(async () => {
  // Whatever happened: no deliverer outlives the file, no port stays open.
  await Promise.all(deliverers.map((deliverer) => stopDeliverer(deliverer, 'SIGKILL')));
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  sqs.destroy();
});

/** Polls `probe` until it answers no problem (an empty string); else fails with its last answer. */
async function until(what: string, probe: () => Promise<string> | string, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const problem = await probe();
    if (problem === '') return;
    if (performance.now() > deadline) throw new Error(`timed out waiting: ${what} (${problem})${tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Messages still on the queue: waiting, in flight, or delayed. */
async function onQueue(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? Number.NaN) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? Number.NaN) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? Number.NaN)
  );
}

const arrivalsOf = (reference: string) => arrivals.filter((arrival) => arrival.reference === reference);
const webhookIdOf = (arrival: Arrival) => String(arrival.headers['webhook-id']);

describe('a callback deliverer killed mid-delivery', () => {
  it('loses nothing: a fresh one delivers every callback, under the same webhook-id, and dead-letters none', async () => {
    const started = performance.now();
    // The product's storage, as its adapters read and write it.
    const { endpoint: dynamodbEndpoint, tableName, db } = await freshTable();
    const transactions = dynamoTransactionRepository(db, tableName, systemClock);
    const customers = dynamoCustomerRepository(db, tableName, systemClock);
    const log = dynamoCallbackLog(db, tableName);

    const now = new Date().toISOString();
    const customer: Customer = {
      customerId: randomUUID(),
      name: 'Integrator',
      settings: CustomerSettings.parse({}),
      createdAt: now,
    };
    const credential: StoredCredential = {
      tokenHash: sha256(randomUUID()),
      secretHash: sha256('secret'),
      customerId: customer.customerId,
      tokenHint: 'ovk_x',
      createdAt: now,
    };
    await customers.create(customer, credential);
    await customers.setWebhookSecrets(customer.customerId, [{ secret: SECRET, createdAt: now }]);

    const references: Record<Kind, string[]> = { quick: [], held: [], stalled: [], retried: [] };
    await Promise.all(
      KINDS.flatMap((kind) =>
        Array.from({ length: PER_KIND }, async (_, index) => {
          const reference = randomUUID();
          references[kind].push(reference);
          kindOf.set(reference, kind);
          const base = transactionFixture();
          await transactions.create({
            ...base,
            reference,
            customerId: customer.customerId,
            createdAt: now,
            state: 'DONE',
            outcome: APPROVED,
            options: { ...base.options, callbackUrl: `https://callbacks.example.com/${kind}/${index}` },
          });
        }),
      ),
    );
    const all = KINDS.flatMap((kind) => references[kind]);

    // The callback queue as the product defines it (maxReceiveCount, its DLQ), with a short visibility.
    const definition = QUEUES.find((queue) => queue.name === 'callback');
    if (!definition) throw new Error('no callback queue');
    const queue = {
      ...definition,
      name: `killed-${randomUUID().slice(0, 8)}`,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    };
    const queueUrl = await ensureQueue(inject('sqsEndpoint'), queue, 'test');
    const dlqUrl = queueUrl.replace(new RegExp(`${queue.name}$`), deadLetterName(queue));
    const callbackQueue = sqsWorkQueue(sqs, queueUrl);
    /** '' once each callback was answered 200 in full and recorded as delivered, and the queue is empty. */
    const settled = async (some: string[]): Promise<string> => {
      const unanswered = some.filter(
        (reference) => !arrivalsOf(reference).some((arrival) => arrival.status === 200 && arrival.finished),
      );
      const logs = await Promise.all(some.map((reference) => log.attempts(reference)));
      const unrecorded = logs.filter(
        (attempts) => !attempts.some((attempt) => attempt.outcome === 'delivered'),
      );
      const queued = await onQueue(queueUrl);
      if (unanswered.length === 0 && unrecorded.length === 0 && queued === 0) return '';
      return `${unanswered.length} of ${some.length} never answered 200 in full (${unanswered.map((reference) => kindOf.get(reference)).join(', ')}), ${unrecorded.length} not recorded as delivered, ${queued} messages on the queue`;
    };

    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    const environment = (child: string): NodeJS.ProcessEnv => ({
      ...process.env,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      SQS_ENDPOINT: inject('sqsEndpoint'),
      TABLE_NAME: tableName,
      [queueUrlVariable('callback')]: queueUrl,
      OPENVERIFY_RETRY_SCHEDULE: RETRY_SCHEDULE,
      OPENVERIFY_CALLBACK_FORWARD_TO: `http://127.0.0.1:${port}/${child}/callbacks`,
      DELIVERER_VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY_TIMEOUT_SECONDS),
    });

    // ── The first child: the quick ones go through completely. ──
    const first = await startDeliverer('first', environment('first'));
    await Promise.all(references.quick.map((reference) => callbackQueue.send({ reference, kind: 'final' })));
    await until(
      'the quick callbacks delivered, recorded and deleted from the queue',
      () => settled(references.quick),
      10_000,
    );

    // ── Then the retried ones, alone (their batches hold nothing that hangs), until each one's retry
    // is in flight: the failed attempt recorded, the retry queued, received and held. ──
    const pending = (arrival: Arrival) => arrival.child === 'first' && arrival.status === undefined;
    const stalled = (arrival: Arrival) =>
      arrival.child === 'first' && arrival.status === 200 && !arrival.finished;
    const notYet = (waiting: string[]) =>
      waiting.length === 0 ? '' : `not yet: ${waiting.map((reference) => kindOf.get(reference)).join(', ')}`;
    await Promise.all(
      references.retried.map((reference) => callbackQueue.send({ reference, kind: 'final' })),
    );
    await until(
      "every retried callback's retry in flight in the first child",
      async () =>
        notYet(
          (
            await Promise.all(
              references.retried.map(async (reference) => {
                const seen = arrivalsOf(reference);
                const failed = seen.findIndex((arrival) => arrival.status === 500);
                const recorded = (await log.attempts(reference)).some(
                  (attempt) => attempt.outcome === 'retry',
                );
                const retrying = failed >= 0 && recorded && seen.slice(failed + 1).some(pending);
                return retrying ? [] : [reference];
              }),
            )
          ).flat(),
        ),
      15_000,
    );

    // ── Then the held and stalled ones, until each is in flight in the first child. ──
    await Promise.all(
      [...references.held, ...references.stalled].map((reference) =>
        callbackQueue.send({ reference, kind: 'final' }),
      ),
    );
    await until(
      'every held and stalled callback in flight in the first child',
      () =>
        notYet([
          ...references.held.filter((reference) => !arrivalsOf(reference).some(pending)),
          ...references.stalled.filter((reference) => !arrivalsOf(reference).some(stalled)),
        ]),
      10_000,
    );
    // The premise, as the deliverer's own records show it: none of these is recorded as delivered
    // (the retried ones carry their failed first attempt and its scheduled retry).
    const beforeKill = new Map<string, CallbackAttempt[]>(
      await Promise.all(all.map(async (reference) => [reference, await log.attempts(reference)] as const)),
    );
    for (const reference of [...references.held, ...references.stalled]) {
      expect(beforeKill.get(reference)).toEqual([]);
    }
    for (const reference of references.retried) {
      expect(beforeKill.get(reference)).toEqual([
        expect.objectContaining({
          attempt: 1,
          outcome: 'retry',
          statusCode: 500,
          nextAttemptAt: expect.any(String),
        }),
      ]);
    }
    const inFlight = arrivals.filter((arrival) => pending(arrival) || stalled(arrival));
    expect(inFlight.length).toBeGreaterThanOrEqual(3 * PER_KIND);

    // ── SIGKILL, mid-delivery: every one of those requests dies with the process. ──
    expect(await stopDeliverer(first, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await until(
      'the in-flight requests cut off',
      () => {
        const open = inFlight.filter((arrival) => !arrival.cutOff).length;
        return open === 0 ? '' : `${open} still open`;
      },
      5_000,
    );
    const killedAt = performance.now();

    // ── A fresh child picks up what the killed one left, once the visibility timeout lets it. ──
    const second = await startDeliverer('second', environment('second'));
    await until('every callback delivered and recorded, the queue empty', () => settled(all), 25_000);
    const recoveredInMs = performance.now() - killedAt;
    expect(await stopDeliverer(second, 'SIGTERM')).toEqual({ code: 0, signal: null });

    // ── What the receiver saw. ──
    const verifier = new Webhook(SECRET);
    for (const arrival of arrivals) {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
          name,
          String(arrival.headers[name]),
        ]),
      );
      expect(() => verifier.verify(arrival.body, headers, { jsonParse: false })).not.toThrow();
    }
    expect(new Set(arrivals.map((arrival) => arrival.reference))).toEqual(new Set(all));
    // One webhook-id per callback, on every attempt by either child; none shared between callbacks.
    const idOf = new Map<string, string>();
    for (const reference of all) {
      const ids = new Set(arrivalsOf(reference).map(webhookIdOf));
      expect(ids.size, `webhook-ids of ${reference}`).toBe(1);
      idOf.set(reference, [...ids][0] as string);
    }
    expect(new Set(idOf.values()).size).toBe(all.length);
    // A receiver that keeps the first 2xx per webhook-id and drops the rest has each callback once.
    const taken = new Map<string, Arrival>();
    for (const arrival of arrivals) {
      if (arrival.status === 200 && !taken.has(webhookIdOf(arrival)))
        taken.set(webhookIdOf(arrival), arrival);
    }
    expect([...taken.values()].map((arrival) => arrival.reference).sort()).toEqual([...all].sort());
    // Delivered before the kill: not sent again. In flight at the kill: sent again by the second child,
    // answered in full; the stalled ones are duplicates of what the receiver had taken already.
    for (const reference of references.quick) {
      expect(arrivalsOf(reference).map((arrival) => [arrival.child, arrival.status])).toEqual([
        ['first', 200],
      ]);
    }
    for (const reference of [...references.held, ...references.stalled, ...references.retried]) {
      expect(
        arrivalsOf(reference).some(
          (arrival) => arrival.child === 'second' && arrival.status === 200 && arrival.finished,
        ),
        `${kindOf.get(reference)} callback ${reference} sent again after the kill`,
      ).toBe(true);
    }
    for (const reference of references.stalled) {
      expect(taken.get(idOf.get(reference) as string)?.child).toBe('first');
    }

    // ── What the deliverer recorded: the same story, nothing dead-lettered. ──
    for (const reference of all) {
      const attempts = await log.attempts(reference);
      const seen = arrivalsOf(reference);
      expect(attempts.every((attempt) => attempt.webhookId === idOf.get(reference))).toBe(true);
      // Only answers the receiver finished giving are recorded, and no more of them than it gave.
      const recorded = (outcome: string, status: number) =>
        attempts.filter((attempt) => attempt.outcome === outcome && attempt.statusCode === status).length;
      const given = (status: number) =>
        seen.filter((arrival) => arrival.status === status && arrival.finished).length;
      expect(recorded('delivered', 200)).toBeGreaterThanOrEqual(1);
      expect(recorded('delivered', 200)).toBeLessThanOrEqual(given(200));
      expect(recorded('retry', 500)).toBe(given(500));
      expect(attempts).toHaveLength(recorded('delivered', 200) + recorded('retry', 500));
    }
    expect(await log.deadLetters(customer.customerId, '0000', '9999')).toEqual([]);
    expect(await onQueue(dlqUrl)).toBe(0);
    expect(await onQueue(queueUrl)).toBe(0);

    console.info(
      `callback-worker-killed: ${arrivals.length} requests for ${all.length} callbacks, ${inFlight.length} cut off by the kill; ` +
        `recovered ${(recoveredInMs / 1000).toFixed(1)} s after it; ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
    );
  }, 60_000);
});
