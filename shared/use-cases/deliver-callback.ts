import {
  type CallbackSender,
  type CallbackTransaction,
  callbackForm,
  type ImageClassifier,
  nextAttemptDelay,
  sqsDelayChunk,
} from '#domain/callback';
import { signingSecrets } from '#domain/customer';
import { documentPreset } from '#domain/settings';
import { recordExpiresAt, type Transaction } from '#domain/transaction';
import * as z from '#domain/zod';
import type { CallbackLog, Clock, CustomerRepository, TransactionRepository, WorkQueue } from './ports.ts';

/** A message on the callback queue. The first carries only the reference; retries carry the rest. */
export const CallbackMessage = z.object({
  reference: z.uuid(),
  kind: z.enum(['final']),
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
  customers: CustomerRepository;
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

/** One webhook id per callback of a transaction: the same on every attempt and every replay. */
export const webhookIdOf = (reference: string, kind: string): string => `msg_${kind}_${reference}`;

/**
 * One attempt of a transaction's callback: sign, send, record; then schedule the next attempt on
 * the schedule, stop (delivered, or 410 Gone), or dead-letter after the last.
 */
export async function deliverCallback(deps: DeliverDeps, message: CallbackMessage): Promise<DeliveryStep> {
  const now = deps.clock.now();
  if (message.notBefore && Date.parse(message.notBefore) > now.getTime()) {
    const remaining = (Date.parse(message.notBefore) - now.getTime()) / 1000;
    await deps.callbackQueue.send(message, { delaySeconds: sqsDelayChunk(remaining) });
    return 'waiting';
  }

  const transaction = await deps.transactions.get(message.reference);
  // Deleted, purged, or not finished: there is nothing to say (a deleted one must say nothing).
  if (!transaction?.outcome) return 'nothing-to-send';
  const customer = await deps.customers.get(transaction.customerId);
  const url = transaction.options.callbackUrl ?? customer?.settings.callbackUrl;
  if (!customer || !url) return 'nothing-to-send';

  const webhookId = message.webhookId ?? webhookIdOf(transaction.reference, message.kind);
  const attemptsMade = message.attempts ?? 0;
  const keepUntil = recordExpiresAt(transaction);
  if (attemptsMade === 0 && !message.replay) {
    // A redelivered first message, or a replay of one already delivered: once is enough.
    const earlier = await deps.log.attempts(transaction.reference);
    if (earlier.some((attempt) => attempt.webhookId === webhookId && attempt.outcome === 'delivered')) {
      return 'delivered';
    }
  }

  const body = callbackForm({
    transaction: callbackTransaction(transaction),
    outcome: transaction.outcome,
    dataFields: customer.settings.dataFields,
    ...(deps.publicBaseUrl ? { imageBaseUrl: deps.publicBaseUrl } : {}),
    images: imagesOf(transaction),
    callbackDate: now,
  }).toString();
  const result = await deps.sender.send({
    url,
    webhookId,
    timestamp: now,
    body,
    secrets: signingSecrets(customer, now),
  });
  const attempt = attemptsMade + 1;
  const base = {
    reference: transaction.reference,
    webhookId,
    attempt,
    at: now.toISOString(),
    outcome: result.outcome,
    latencyMs: Math.round(result.latencyMs),
    ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
    ...(result.errorClass ? { errorClass: result.errorClass } : {}),
  };

  if (result.outcome === 'delivered' || result.outcome === 'gone') {
    await deps.log.record(base, keepUntil);
    return result.outcome;
  }
  const delay = nextAttemptDelay(deps.schedule, attempt, result.retryAfterSeconds);
  if (delay === undefined) {
    await deps.log.record(base, keepUntil);
    await deps.log.deadLetter(
      {
        customerId: transaction.customerId,
        reference: transaction.reference,
        webhookId,
        kind: message.kind,
        at: now.toISOString(),
        attempts: attempt,
        ...(result.errorClass ? { lastErrorClass: result.errorClass } : {}),
        ...(result.statusCode !== undefined ? { lastStatusCode: result.statusCode } : {}),
      },
      keepUntil,
    );
    return 'dead-lettered';
  }
  const nextAt = new Date(now.getTime() + delay * 1000).toISOString();
  await deps.log.record({ ...base, nextAttemptAt: nextAt }, keepUntil);
  await deps.callbackQueue.send(
    { reference: transaction.reference, kind: message.kind, webhookId, attempts: attempt, notBefore: nextAt },
    { delaySeconds: sqsDelayChunk(delay) },
  );
  return 'retry-scheduled';
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
