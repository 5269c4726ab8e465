import {
  type CallbackSender,
  type CallbackTransaction,
  callbackForm,
  type ImageClassifier,
  nextAttemptDelay,
  receivedForm,
  sqsDelayChunk,
} from '#domain/callback';
import { type Customer, signingSecrets } from '#domain/customer';
import { Lru } from '#domain/lru';
import { documentPreset } from '#domain/settings';
import { recordExpiresAt, type Transaction } from '#domain/transaction';
import * as z from '#domain/zod';
import type {
  CallbackAttempt,
  CallbackLog,
  Clock,
  CustomerRepository,
  DeadLetter,
  TransactionRepository,
  WorkQueue,
} from './ports.ts';

/**
 * A message on the callback queue. The first carries only the reference; retries carry the rest.
 * `final` is the verdict (or the drop-off); `received`, performNetverify's `onAllSteps` callback
 * when the images are received.
 */
export const CallbackMessage = z.object({
  reference: z.uuid(),
  kind: z.enum(['final', 'received']),
  webhookId: z.optional(z.string().check(z.maxLength(100))),
  /** Attempts made so far. */
  attempts: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  /** Not to be attempted before (ISO-8601): waits longer than SQS's 15 minutes arrive early. */
  notBefore: z.optional(z.iso.datetime()),
  /** Asked for again (by the customer or an operator): sent even if an earlier attempt delivered it. */
  replay: z.optional(z.boolean()),
});
export type CallbackMessage = z.output<typeof CallbackMessage>;

export interface DeliverDeps {
  transactions: TransactionRepository;
  /** Read for every callback: `cachedCustomers` spares the table most of those reads. */
  customers: Pick<CustomerRepository, 'get'>;
  log: CallbackLog;
  sender: CallbackSender;
  callbackQueue: WorkQueue;
  clock: Clock;
  /** Seconds before each attempt: Standard Webhooks' schedule, or OPENVERIFY_RETRY_SCHEDULE. */
  schedule: readonly number[];
  /** The public origin the image URLs in callbacks point at. */
  publicBaseUrl?: string;
}

export type DeliveryStep =
  | 'delivered'
  | 'gone'
  | 'retry-scheduled'
  | 'dead-lettered'
  | 'waiting'
  | 'nothing-to-send';

/**
 * The customers the deliverer reads (callback URL, data settings, signing secrets), each kept for
 * `ttlMs` in the warm function: a callback costs no customer read, and a settings change or a new
 * signing secret reaches the deliverer within that time. A rotation loses nothing meanwhile: the old
 * secret stays valid through its grace period, and both are sent once the new one is read.
 */
export function cachedCustomers(
  customers: Pick<CustomerRepository, 'get'>,
  clock: Clock,
  { ttlMs = 30_000, max = 1_000 } = {},
): Pick<CustomerRepository, 'get'> {
  const cache = new Lru<{ customer: Promise<Customer | undefined>; cachedUntil: number }>(max);
  return {
    get(customerId) {
      const now = clock.now().getTime();
      const hit = cache.get(customerId, now);
      if (hit) return hit.customer;
      const customer = customers.get(customerId);
      cache.set(customerId, { customer, cachedUntil: now + ttlMs });
      // A failed read is not kept: the next callback asks again.
      customer.catch(() => cache.set(customerId, { customer, cachedUntil: 0 }));
      return customer;
    },
  };
}

/** One webhook id per callback of a transaction: the same on every attempt and every replay. */
export const webhookIdOf = (reference: string, kind: string): string => `msg_${kind}_${reference}`;

/**
 * One attempt of a transaction's callback: sign, send, record; then schedule the next attempt on
 * the schedule, stop (delivered, or 410 Gone), or dead-letter after the last. A failure throws.
 */
export async function deliverCallback(deps: DeliverDeps, message: CallbackMessage): Promise<DeliveryStep> {
  const [result] = await deliverCallbacks(deps, [message]);
  if (result === undefined || result instanceof Error) throw result ?? new Error('no result');
  return result;
}

/** What one message's attempt leaves to write, once its POST is answered. */
interface Attempted {
  index: number;
  step: DeliveryStep;
  attempt: CallbackAttempt;
  keepUntil: number | undefined;
  deadLetter?: DeadLetter;
  next?: { message: CallbackMessage; delaySeconds: number };
}

/**
 * A batch of callback messages (one SQS batch), each as `deliverCallback` describes, with the
 * storage work shared: the transactions and the delivered markers are read in one round trip each,
 * the POSTs go out side by side, and the attempts and dead letters are written in groups, those
 * answered within 25 ms of each other together (so a whole batch of quick receivers in one round
 * trip, and a receiver that hangs holds back no one's record but its own). Each message gets its
 * own result: its step, or the error that failed it alone (SQS retries that one). An attempt is
 * recorded before its next attempt is queued.
 */
export async function deliverCallbacks(
  deps: DeliverDeps,
  messages: readonly CallbackMessage[],
): Promise<Array<DeliveryStep | Error>> {
  const results: Array<DeliveryStep | Error> = [];
  const settle = async (indices: readonly number[], work: () => Promise<unknown>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      for (const index of indices) results[index] = asError(error);
      return false;
    }
  };

  // Waits longer than SQS's 15 minutes arrive early: back to the queue for the rest of the wait.
  const batchStart = deps.clock.now().getTime();
  const due: number[] = [];
  await Promise.all(
    messages.map(async (message, index) => {
      const notBefore = message.notBefore ? Date.parse(message.notBefore) : Number.NEGATIVE_INFINITY;
      if (notBefore <= batchStart) return due.push(index);
      const remaining = (notBefore - batchStart) / 1000;
      if (
        await settle([index], () =>
          deps.callbackQueue.send(message, { delaySeconds: sqsDelayChunk(remaining) }),
        )
      )
        results[index] = 'waiting';
    }),
  );
  if (due.length === 0) return results;

  let transactions = new Map<string, Transaction>();
  let delivered = new Set<string>();
  // A first attempt (not a replay) that an earlier delivery of the same message already made: once is enough.
  const firsts = due
    .map((index) => messages[index] as CallbackMessage)
    .filter((message) => (message.attempts ?? 0) === 0 && !message.replay)
    .map((message) => ({ reference: message.reference, webhookId: webhookIdOfMessage(message) }));
  const read = await settle(due, async () => {
    [transactions, delivered] = await Promise.all([
      deps.transactions.getMany(due.map((index) => (messages[index] as CallbackMessage).reference)),
      deps.log.deliveredAmong(firsts),
    ]);
  });
  if (!read) return results;

  // Attempts answered close together are written together; one that waits on a slow receiver does
  // not hold back the others' records and retries (it is written in a later group of its own).
  const record = async (group: Attempted[]): Promise<void> => {
    const written = await settle(
      group.map(({ index }) => index),
      () =>
        deps.log.write({
          attempts: group.map(({ attempt, keepUntil }) => ({ attempt, keepUntil })),
          deadLetters: group.flatMap(({ deadLetter, keepUntil }) =>
            deadLetter ? [{ letter: deadLetter, keepUntil }] : [],
          ),
        }),
    );
    if (!written) return;
    await Promise.all(
      group.map(async ({ index, step, next }) => {
        const queued =
          !next ||
          (await settle([index], () =>
            deps.callbackQueue.send(next.message, { delaySeconds: next.delaySeconds }),
          ));
        if (queued) results[index] = step;
      }),
    );
  };
  const writes: Promise<void>[] = [];
  let group: Attempted[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (group.length > 0) writes.push(record(group));
    group = [];
  };
  let unanswered = due.length;
  await Promise.all(
    due.map((index) =>
      settle([index], async () => {
        try {
          const message = messages[index] as CallbackMessage;
          const outcome = await attemptOne(deps, message, transactions.get(message.reference), delivered);
          if (typeof outcome === 'string') results[index] = outcome;
          else {
            group.push({ ...outcome, index });
            timer ??= setTimeout(flush, GROUP_WINDOW_MS);
          }
        } finally {
          // The last answer of the batch writes at once.
          if (--unanswered === 0) flush();
        }
      }),
    ),
  );
  await Promise.all(writes);
  return results;
}

/** How long an answered attempt waits for others to be written with it. */
const GROUP_WINDOW_MS = 25;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

const webhookIdOfMessage = (message: CallbackMessage): string =>
  message.webhookId ?? webhookIdOf(message.reference, message.kind);

/** One message's attempt: a step needing no record, or the POST made and what to write for it. */
async function attemptOne(
  deps: DeliverDeps,
  message: CallbackMessage,
  transaction: Transaction | undefined,
  delivered: ReadonlySet<string>,
): Promise<DeliveryStep | Omit<Attempted, 'index'>> {
  // Deleted, purged, or (for the verdict) not finished: there is nothing to say (a deleted one must
  // say nothing).
  if (!transaction || (message.kind === 'final' && !transaction.outcome)) return 'nothing-to-send';
  const customer = await deps.customers.get(transaction.customerId);
  const url = transaction.options.callbackUrl ?? customer?.settings.callbackUrl;
  if (!customer || !url) return 'nothing-to-send';

  const webhookId = webhookIdOfMessage(message);
  const attemptsMade = message.attempts ?? 0;
  if (attemptsMade === 0 && !message.replay && delivered.has(webhookId)) return 'delivered';

  const now = deps.clock.now();
  const common = {
    transaction: callbackTransaction(transaction),
    ...(deps.publicBaseUrl ? { imageBaseUrl: deps.publicBaseUrl } : {}),
    images: imagesOf(transaction),
    callbackDate: now,
  };
  const body = (
    transaction.outcome && message.kind === 'final'
      ? callbackForm({ ...common, outcome: transaction.outcome, dataFields: customer.settings.dataFields })
      : receivedForm(common)
  ).toString();
  const result = await deps.sender.send({
    url,
    webhookId,
    timestamp: now,
    body,
    secrets: signingSecrets(customer, now),
  });
  const keepUntil = recordExpiresAt(transaction);
  const attempt: CallbackAttempt = {
    reference: transaction.reference,
    webhookId,
    attempt: attemptsMade + 1,
    at: now.toISOString(),
    outcome: result.outcome,
    latencyMs: Math.round(result.latencyMs),
    ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
    ...(result.errorClass ? { errorClass: result.errorClass } : {}),
  };

  if (result.outcome === 'delivered' || result.outcome === 'gone') {
    return { step: result.outcome, attempt, keepUntil };
  }
  const delay = nextAttemptDelay(deps.schedule, attempt.attempt, result.retryAfterSeconds);
  if (delay === undefined) {
    const deadLetter: DeadLetter = {
      customerId: transaction.customerId,
      reference: transaction.reference,
      webhookId,
      kind: message.kind,
      at: attempt.at,
      attempts: attempt.attempt,
      ...(result.errorClass ? { lastErrorClass: result.errorClass } : {}),
      ...(result.statusCode !== undefined ? { lastStatusCode: result.statusCode } : {}),
    };
    return { step: 'dead-lettered', attempt, keepUntil, deadLetter };
  }
  const nextAt = new Date(now.getTime() + delay * 1000).toISOString();
  return {
    step: 'retry-scheduled',
    attempt: { ...attempt, nextAttemptAt: nextAt },
    keepUntil,
    next: {
      message: {
        reference: transaction.reference,
        kind: message.kind,
        webhookId,
        attempts: attempt.attempt,
        notBefore: nextAt,
      },
      delaySeconds: sqsDelayChunk(delay),
    },
  };
}

function callbackTransaction(transaction: Transaction): CallbackTransaction {
  const preset = documentPreset(transaction.options);
  return {
    reference: transaction.reference,
    customerInternalReference: transaction.customerInternalReference,
    userReference: transaction.userReference,
    ...(transaction.reportingCriteria ? { reportingCriteria: transaction.reportingCriteria } : {}),
    createdAt: transaction.createdAt,
    ...(preset.country ? { presetCountry: preset.country } : {}),
    ...(preset.idType ? { presetIdType: preset.idType } : {}),
    ...(transaction.clientIp ? { clientIp: transaction.clientIp } : {}),
    source: transaction.source ?? 'WEB',
    ...(transaction.firstAttemptAt ? { firstAttemptDate: transaction.firstAttemptAt } : {}),
  };
}

function imagesOf(transaction: Transaction): ImageClassifier[] {
  return (['front', 'back', 'face'] as const).filter((side) => transaction.captures?.[side]);
}
