// node bench/callbacks.ts [--callbacks N] [--rounds R] [--hang-share S] [--summary FILE]
//
// Callbacks per second from the local stack to a loopback receiver: the product's path end to end
// (a callback message on the local SQS server, the poller, the deliverer's Lambda handler, DynamoDB
// Local for the transaction, the customer and the attempt log, a signed POST), beside two baselines
// measured in the same run: the same number of signed POSTs sent directly (bare `node:http` and
// `standardwebhooks`), and the same POSTs through the product's sender alone. Then again with a share
// of the callbacks aimed at a receiver that hangs (never answers): the others' rate must hold.
// Rounds alternate the targets; medians are reported. bench/README.md has the figures.
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { dynamoCallbackLog } from '#adapters/callback-log';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { createHttpCallbackSender } from '#adapters/http-callback-sender';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { callbackForm } from '#domain/callback';
import { CustomerSettings } from '#domain/settings';
import { cachedCustomers } from '#use-cases/deliver-callback';
import { systemClock } from '#use-cases/ports';
import { LOCAL_CONCURRENCY } from '../local/pollers.ts';
import { ensureQueue, LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/resources.ts';
import { LOCAL_NAMES, type LocalStack, startLocalStack } from '../local/stack.ts';
import { APPROVED, transactionFixture } from '../test/unit/transaction-fixtures.ts';
import { HANGING_HOST, type ReceiverStats } from './callback-receiver.ts';
import { cpuSnapshot, cpuSpent } from './cpu.ts';
import { fixed, median, percent, table } from './report.ts';

/** The aims (issue 9): 500 callbacks a second; the hanging receiver must not drag the rest. */
export const CALLBACK_AIM = { perSecond: 500, withHangingRatio: 0.8 };

export interface CallbackBenchOptions {
  callbacks: number;
  rounds: number;
  hangShare: number;
}

interface Measured {
  /** Callbacks answered 200 by the receiver a second, from the first message sent to the last answer. */
  perSecond: number;
  delivered: number;
  seconds: number;
  /** CPU ms per delivered callback: this process, DynamoDB Local's JVM, the receiver. */
  cpu: { self: number; jvm: number | undefined; receiver: number };
  /** Only for the hanging runs: requests the receiver held open. */
  hanging?: number;
}

type TargetName = 'bare' | 'sender' | 'storage' | 'queue' | 'product' | 'product+hanging';
const LABELS: Record<TargetName, string> = {
  bare: 'baseline: signed POSTs, bare node:http',
  sender: "baseline: the product's sender alone",
  storage: "emulator: the deliverer's DynamoDB calls alone",
  queue: 'emulator: SQS send, receive, delete alone',
  product: 'local stack: queue → deliverer → receiver',
  'product+hanging': 'local stack, a share to a hanging receiver',
};

// ── The receiver ────────────────────────────────────────────────────────────────────────────────────

interface Receiver {
  url: string;
  ask(type: 'reset' | 'release'): Promise<void>;
  stats(): Promise<ReceiverStats>;
  stop(): void;
}

async function startReceiver(secret: string): Promise<Receiver> {
  const child = fork(join(import.meta.dirname, 'callback-receiver.ts'), [], {
    env: { ...process.env, RECEIVER_SECRET: secret },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: Array<{ type: string; resolve: (value: unknown) => void }> = [];
  child.on('message', (message: { type: string; stats?: ReceiverStats; url?: string }) => {
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message);
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolve) => waiters.push({ type, resolve: resolve as (value: unknown) => void }));
  const { url } = await next<{ url: string }>('listening');
  return {
    url,
    async ask(type) {
      const answer = next(type === 'reset' ? 'reset' : 'released');
      child.send({ type });
      await answer;
    },
    async stats() {
      const answer = next<{ stats: ReceiverStats }>('stats');
      child.send({ type: 'stats' });
      return (await answer).stats;
    },
    stop: () => child.kill(),
  };
}

// ── The run ─────────────────────────────────────────────────────────────────────────────────────────

export async function runCallbackBench(options: CallbackBenchOptions): Promise<{
  runs: Record<TargetName, Measured[]>;
  missed: string[];
}> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const runs: Record<TargetName, Measured[]> = {
    bare: [],
    sender: [],
    storage: [],
    queue: [],
    product: [],
    'product+hanging': [],
  };
  try {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const receiver = await startReceiver(secret);
    cleanups.push(() => receiver.stop());

    // Read by the deliverer's wiring when the stack loads it: every callback to the receiver, and a
    // failed attempt's retry an hour later (after this run).
    process.env.OPENVERIFY_CALLBACK_FORWARD_TO = receiver.url;
    process.env.OPENVERIFY_RETRY_SCHEDULE = '0,3600';
    const dataDir = mkdtempSync(join(scratchRoot(), 'openverify-callbacks-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    console.log('Starting the local stack (DynamoDB Local, s3rver, fauxqs, router, pollers)…');
    const stack: LocalStack = await startLocalStack({ dataDir, demoWebhookSecret: secret });
    cleanups.push(() => stack.stop());

    const db = documentClient({ AWS_REGION: LOCAL_REGION, DYNAMODB_ENDPOINT: stack.endpoints.dynamodb });
    const transactions = dynamoTransactionRepository(db, LOCAL_NAMES.table, systemClock);
    const sqs = new SQSClient({
      endpoint: stack.endpoints.sqs,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    cleanups.push(() => sqs.destroy());
    const queueUrl = process.env.QUEUE_URL_CALLBACK ?? '';
    if (!queueUrl) throw new Error('the local stack set no QUEUE_URL_CALLBACK');

    /** N finished transactions of the demo customer, a share of them calling back the hanging host. */
    const finished = async (count: number, hangShare: number): Promise<string[]> => {
      const references = Array.from({ length: count }, () => randomUUID());
      const hangEvery = hangShare > 0 ? Math.round(1 / hangShare) : 0;
      await inParallel(references, 32, async (reference, index) => {
        const base = transactionFixture();
        const hangs = hangEvery > 0 && index % hangEvery === hangEvery - 1;
        await transactions.create({
          ...base,
          reference,
          customerId: stack.demo.customerId,
          createdAt: new Date().toISOString(),
          state: 'DONE',
          outcome: APPROVED,
          options: {
            ...base.options,
            callbackUrl: hangs
              ? `https://${HANGING_HOST}/netverify/${index}`
              : `https://callbacks.example.com/netverify/${index}`,
          },
        });
      });
      return references;
    };

    const product = async (count: number, hangShare: number): Promise<Measured> => {
      const references = await finished(count, hangShare);
      const healthy = count - (hangShare > 0 ? Math.floor(count / Math.round(1 / hangShare)) : 0);
      await receiver.ask('reset');
      const before = cpuSnapshot();
      const started = performance.timeOrigin + performance.now();
      const batches = chunks(references, 10);
      await inParallel(batches, 4, async (batch) => {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((reference, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify({ reference, kind: 'final' }),
            })),
          }),
        );
      });
      const stats = await waitFor(receiver, healthy, 180_000);
      const spent = cpuSpent(before, cpuSnapshot());
      if (stats.badSignatures > 0) throw new Error(`${stats.badSignatures} callbacks had a bad signature`);
      const last = Math.max(...stats.arrivals);
      const seconds = (last - started) / 1000;
      // Let the hanging attempts fail now rather than at their 15 s timeout, before the next run.
      await receiver.ask('release');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return {
        perSecond: stats.delivered / seconds,
        delivered: stats.delivered,
        seconds,
        cpu: {
          self: spent.selfMs / stats.delivered,
          jvm: spent.jvmMs === undefined ? undefined : spent.jvmMs / stats.delivered,
          receiver: stats.cpuMicros / 1000 / stats.delivered,
        },
        ...(hangShare > 0 ? { hanging: stats.hanging } : {}),
      };
    };

    // The deliverer's in-flight callbacks at most: its poller's batches × the queue's batch of 10.
    const concurrency = Math.min(256, (LOCAL_CONCURRENCY.callback ?? 1) * 10);
    const body = sampleBody();
    const bare = async (count: number) =>
      direct(receiver, count, concurrency, () => bareSignedPost(receiver.url, secret, body));
    const sender = createHttpCallbackSender({ forwardTo: receiver.url });
    const viaSender = async (count: number) =>
      direct(receiver, count, concurrency, async () => {
        const result = await sender.send({
          url: 'https://callbacks.example.com/netverify',
          webhookId: `msg_final_${randomUUID()}`,
          timestamp: new Date(),
          body,
          secrets: [secret],
        });
        if (result.outcome !== 'delivered') throw new Error(`the sender's attempt: ${result.outcome}`);
      });

    // Where the product's time goes: the same calls to the emulators, without the rest.
    const customers = dynamoCustomerRepository(db, LOCAL_NAMES.table, systemClock);
    const log = dynamoCallbackLog(db, LOCAL_NAMES.table);
    const storage = async (count: number): Promise<Measured> => {
      const references = await finished(count, 0);
      const before = cpuSnapshot();
      const started = performance.now();
      // As deliverCallbacks, a batch of 10 at a time: the transactions and the delivered markers
      // read together, the customer (cached in the function: read once), the attempts written together.
      const customer = cachedCustomers(customers, systemClock);
      await inParallel(chunks(references, 10), 8, async (batch) => {
        const callbacks = batch.map((reference) => ({ reference, webhookId: `msg_final_${reference}` }));
        const [found] = await Promise.all([transactions.getMany(batch), log.deliveredAmong(callbacks)]);
        await Promise.all([...found.values()].map((transaction) => customer.get(transaction.customerId)));
        await log.write({
          attempts: callbacks.map(({ reference, webhookId }) => ({
            attempt: {
              reference,
              webhookId,
              attempt: 1,
              at: new Date().toISOString(),
              outcome: 'delivered' as const,
              latencyMs: 1,
              statusCode: 200,
            },
            keepUntil: undefined,
          })),
          deadLetters: [],
        });
      });
      return measuredInProcess(count, performance.now() - started, cpuSpent(before, cpuSnapshot()));
    };
    const probeQueue = await ensureQueue(
      stack.endpoints.sqs,
      {
        name: 'bench-probe',
        visibilityTimeoutSeconds: 60,
        maxReceiveCount: 3,
        batchSize: 10,
        retentionDays: 1,
      },
      LOCAL_NAMES.queuePrefix,
    );
    const queue = async (count: number): Promise<Measured> => {
      const before = cpuSnapshot();
      const started = performance.now();
      const sending = inParallel(
        chunks(
          Array.from({ length: count }, (_, index) => index),
          10,
        ),
        4,
        (batch) =>
          sqs
            .send(
              new SendMessageBatchCommand({
                QueueUrl: probeQueue,
                Entries: batch.map((index) => ({
                  Id: String(index % 10),
                  MessageBody: JSON.stringify({ reference: randomUUID(), kind: 'final' }),
                })),
              }),
            )
            .then(() => undefined),
      );
      let received = 0;
      // As the poller: batches of 10 received with every attribute, then deleted.
      while (received < count) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: probeQueue,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        received += Messages.length;
        if (Messages.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: probeQueue,
              Entries: Messages.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle,
              })),
            }),
          );
        }
      }
      await sending;
      return measuredInProcess(count, performance.now() - started, cpuSpent(before, cpuSnapshot()));
    };

    // DynamoDB Local's JIT and V8 settle under load; the first runs would favour whatever runs last.
    console.log(`Warming up (${options.callbacks} callbacks through each target)…`);
    await bare(options.callbacks);
    await viaSender(options.callbacks);
    await storage(options.callbacks);
    await queue(options.callbacks);
    await product(options.callbacks, 0);
    await product(options.callbacks, options.hangShare);

    const targets: Array<[TargetName, () => Promise<Measured>]> = [
      ['bare', () => bare(options.callbacks)],
      ['sender', () => viaSender(options.callbacks)],
      ['storage', () => storage(options.callbacks)],
      ['queue', () => queue(options.callbacks)],
      ['product', () => product(options.callbacks, 0)],
      ['product+hanging', () => product(options.callbacks, options.hangShare)],
    ];
    console.log(
      `Measuring: ${options.rounds} rounds × ${targets.length} targets × ${options.callbacks} callbacks, order rotated each round; ${percent(options.hangShare)} of the hanging runs' callbacks to a receiver that never answers…`,
    );
    for (let round = 0; round < options.rounds; round++) {
      const line: string[] = [];
      for (let index = 0; index < targets.length; index++) {
        const [name, run] = targets[(index + round) % targets.length] as [
          TargetName,
          () => Promise<Measured>,
        ];
        const result = await run();
        runs[name].push(result);
        line.push(`${name} ${fixed(result.perSecond, 0)}/s`);
      }
      console.log(`  round ${round + 1}: ${line.join(', ')}`);
    }
  } finally {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
  }
  return { runs, missed: judge(runs) };
}

function judge(runs: Record<TargetName, Measured[]>): string[] {
  const missed: string[] = [];
  const rate = median(runs.product.map((run) => run.perSecond));
  if (!(rate >= CALLBACK_AIM.perSecond)) {
    missed.push(`${fixed(rate, 0)} callbacks/s from the local stack (aim ≥ ${CALLBACK_AIM.perSecond})`);
  }
  const ratio = pairedRatio(runs['product+hanging'], runs.product);
  if (!(ratio >= CALLBACK_AIM.withHangingRatio)) {
    missed.push(
      `with a hanging receiver the others get ${percent(ratio)} of the rate (aim ≥ ${percent(CALLBACK_AIM.withHangingRatio)})`,
    );
  }
  return missed;
}

const pairedRatio = (of: readonly Measured[], to: readonly Measured[]) =>
  median(of.map((run, index) => run.perSecond / (to[index]?.perSecond ?? Number.NaN)));

export function printCallbackReport(
  runs: Record<TargetName, Measured[]>,
  options: CallbackBenchOptions,
): void {
  const names = Object.keys(LABELS) as TargetName[];
  console.log(
    `\nCallbacks to a loopback receiver (${options.callbacks} a run, medians of ${options.rounds} runs; rate: answered callbacks from the first message sent to the last answer)\n`,
  );
  const cpuMedian = (name: TargetName, of: (run: Measured) => number | undefined) =>
    median(runs[name].map(of).filter((value): value is number => value !== undefined));
  console.log(
    table(
      [
        'target',
        'callbacks/s',
        'vs bare',
        'this process CPU ms/cb',
        'JVM CPU ms/cb',
        'receiver CPU ms/cb',
        'runs',
      ],
      names.map((name) => [
        LABELS[name],
        fixed(median(runs[name].map((run) => run.perSecond)), 0),
        percent(pairedRatio(runs[name], runs.bare)),
        fixed(
          cpuMedian(name, (run) => run.cpu.self),
          3,
        ),
        name === 'bare' || name === 'sender' || name === 'queue'
          ? ''
          : fixed(
              cpuMedian(name, (run) => run.cpu.jvm),
              3,
            ),
        name === 'storage' || name === 'queue'
          ? ''
          : fixed(
              cpuMedian(name, (run) => run.cpu.receiver),
              3,
            ),
        runs[name].map((run) => fixed(run.perSecond, 0)).join(' '),
      ]),
    ),
  );
  const hanging = runs['product+hanging'];
  const ratio = pairedRatio(hanging, runs.product);
  console.log(
    `\nWith ${percent(options.hangShare)} of the callbacks to a receiver that never answers (held: ${hanging.map((run) => run.hanging ?? 0).join(', ')} per run), the others get ${percent(ratio)} of the rate without it; aim ≥ ${percent(CALLBACK_AIM.withHangingRatio)}: ${ratio >= CALLBACK_AIM.withHangingRatio ? 'met' : 'NOT met'}`,
  );
  const rate = median(runs.product.map((run) => run.perSecond));
  console.log(
    `Local stack: ${fixed(rate, 0)} callbacks/s; aim ≥ ${CALLBACK_AIM.perSecond}: ${rate >= CALLBACK_AIM.perSecond ? 'met' : 'NOT met'}. Every callback's signature was checked by the receiver.`,
  );
}

// ── Baselines ───────────────────────────────────────────────────────────────────────────────────────

/** A run that involves no receiver: all its work is this process's and the JVM's. */
function measuredInProcess(
  count: number,
  elapsedMs: number,
  spent: { selfMs: number; jvmMs: number | undefined },
): Measured {
  return {
    perSecond: count / (elapsedMs / 1000),
    delivered: count,
    seconds: elapsedMs / 1000,
    cpu: {
      self: spent.selfMs / count,
      jvm: spent.jvmMs === undefined ? undefined : spent.jvmMs / count,
      receiver: 0,
    },
  };
}

/** `count` calls of `send`, `concurrency` at a time, timed to the receiver's last answer. */
async function direct(
  receiver: Receiver,
  count: number,
  concurrency: number,
  send: () => Promise<void>,
): Promise<Measured> {
  await receiver.ask('reset');
  const before = cpuSnapshot();
  const started = performance.timeOrigin + performance.now();
  await inParallel(
    Array.from({ length: count }, (_, index) => index),
    concurrency,
    send,
  );
  const stats = await waitFor(receiver, count, 60_000);
  const spent = cpuSpent(before, cpuSnapshot());
  const seconds = (Math.max(...stats.arrivals) - started) / 1000;
  return {
    perSecond: stats.delivered / seconds,
    delivered: stats.delivered,
    seconds,
    cpu: { self: spent.selfMs / count, jvm: undefined, receiver: stats.cpuMicros / 1000 / count },
  };
}

/** What the sender does at its barest: sign, and POST on a fresh connection (no pooled socket). */
function bareSignedPost(url: string, secret: string, body: string): Promise<void> {
  const webhookId = `msg_final_${randomUUID()}`;
  const timestamp = new Date();
  const signature = new Webhook(secret).sign(webhookId, timestamp, body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
        'x-openverify-original-url': 'https://callbacks.example.com/netverify',
      },
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`${response.statusCode}`)),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A callback's form as the deliverer builds it for an approved passport. */
function sampleBody(): string {
  const transaction = transactionFixture();
  return callbackForm({
    transaction: {
      reference: transaction.reference,
      customerInternalReference: transaction.customerInternalReference,
      userReference: transaction.userReference,
      createdAt: transaction.createdAt,
      source: 'WEB',
    },
    outcome: APPROVED,
    dataFields: CustomerSettings.parse({}).dataFields,
    images: ['front'],
    callbackDate: new Date(),
  }).toString();
}

// ── Small helpers ───────────────────────────────────────────────────────────────────────────────────

async function waitFor(receiver: Receiver, delivered: number, timeoutMs: number): Promise<ReceiverStats> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await receiver.stats();
    if (stats.delivered >= delivered) return stats;
    if (Date.now() > deadline) {
      throw new Error(`only ${stats.delivered} of ${delivered} callbacks arrived in ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

/** Memory-backed when the machine has it, as bench/run.ts does for the same reason. */
function scratchRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

// ── Command line ────────────────────────────────────────────────────────────────────────────────────

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      callbacks: { type: 'string', default: process.env.BENCH_CALLBACKS ?? '1500' },
      rounds: { type: 'string', default: process.env.BENCH_CALLBACK_ROUNDS ?? '3' },
      'hang-share': { type: 'string', default: process.env.BENCH_CALLBACK_HANG_SHARE ?? '0.1' },
      summary: { type: 'string' },
    },
  });
  const options: CallbackBenchOptions = {
    callbacks: Number(values.callbacks),
    rounds: Number(values.rounds),
    hangShare: Number(values['hang-share']),
  };
  if (
    !(options.callbacks >= 10 && options.rounds >= 1 && options.hangShare > 0 && options.hangShare <= 0.5)
  ) {
    throw new Error('--callbacks ≥ 10, --rounds ≥ 1, 0 < --hang-share ≤ 0.5');
  }
  const started = performance.now();
  const { runs, missed } = await runCallbackBench(options);
  printCallbackReport(runs, options);
  console.log(`\nCallback bench took ${fixed((performance.now() - started) / 1000, 0)} s.`);
  if (values.summary) writeFileSync(values.summary, JSON.stringify({ missed }));
  if (missed.length > 0) {
    console.error(`\nCallback aims missed: ${missed.join('; ')}.`);
    process.exitCode = 2;
  }
  // Stray keep-alive sockets must not hold the run open.
  process.exit();
}
