import { referenceOfAuthorizationToken } from '#domain/authorization-token';
import { dropOffAt } from '#domain/drop-off';
import { JourneyErrorCode, SessionRejected } from '#domain/errors';
import { digestsEqual, sha256 } from '#domain/secrets';
import { type JourneySession, journeySession } from '#domain/session';
import { submitRule } from '#domain/submit-rule';
import { assertSessionOpen, recordExpiresAt, type Transaction } from '#domain/transaction';
import type { Clock, TransactionRepository } from './ports.ts';

export interface OpenSessionDeps {
  transactions: TransactionRepository;
  clock: Clock;
}

/**
 * The journey's token check: a valid token opens (or reopens) the session and marks the journey
 * started; a missing, unknown or expired token is refused with 9200, or 9210 once the journey began.
 */
export async function openSession(deps: OpenSessionDeps, token: string | undefined): Promise<JourneySession> {
  const transaction = await transactionOfToken(deps, token);
  const reference = transaction.reference;
  const now = deps.clock.now();
  assertSessionOpen(transaction, now);
  if (transaction.state === 'INITIATED') {
    const started: Transaction = { ...transaction, state: 'STARTED', startedAt: now.toISOString() };
    await deps.transactions.markStarted(
      reference,
      now.toISOString(),
      recordExpiresAt(started),
      dropOffAt(started) ?? started.tokenExpiresAt,
      submitRule(transaction.options),
    );
  }
  return journeySession(transaction);
}

/**
 * The transaction a journey token names, when the token is its own; else 9200. Says nothing about
 * expiry: `assertSessionOpen` does.
 */
export async function transactionOfToken(
  deps: { transactions: TransactionRepository },
  token: string | undefined,
): Promise<Transaction> {
  if (token === undefined) throw new SessionRejected(JourneyErrorCode.tokenInvalid, { tokenSent: false });
  const reference = referenceOfAuthorizationToken(token);
  if (reference === undefined) throw new SessionRejected(JourneyErrorCode.tokenInvalid);
  const transaction = await deps.transactions.get(reference);
  // The same answer for an unknown reference and a wrong secret: the token is simply not valid.
  if (transaction === undefined || !digestsEqual(sha256(token), transaction.tokenHash)) {
    throw new SessionRejected(JourneyErrorCode.tokenInvalid);
  }
  return transaction;
}
