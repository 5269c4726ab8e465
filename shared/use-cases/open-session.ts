import { JourneyErrorCode, SessionRejected } from '#domain/errors';
import { looksLikeToken, sha256 } from '#domain/secrets';
import { type JourneySession, journeySession } from '#domain/session';
import { assertSessionOpen } from '#domain/transaction';
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
  if (token === undefined || !looksLikeToken(token)) throw new SessionRejected(JourneyErrorCode.tokenInvalid);
  const transaction = await deps.transactions.findByTokenHash(sha256(token));
  if (transaction === undefined) throw new SessionRejected(JourneyErrorCode.tokenInvalid);

  const now = deps.clock.now();
  assertSessionOpen(transaction, now);
  if (transaction.state === 'INITIATED') {
    await deps.transactions.markStarted(transaction.reference, now.toISOString());
  }
  return journeySession(transaction);
}
