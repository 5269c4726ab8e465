import { randomUUID } from 'node:crypto';
import { issueAuthorizationToken } from '#domain/authorization-token';
import type { Customer } from '#domain/customer';
import type { InitiateRequest, InitiateResponse } from '#domain/initiate-request';
import { type JourneyHosts, journeyUrl } from '#domain/journey-url';
import { sha256 } from '#domain/secrets';
import { resolveOptions } from '#domain/settings';
import type { Transaction } from '#domain/transaction';
import type { Clock, TransactionRepository } from './ports.ts';

export interface InitiateDeps {
  transactions: TransactionRepository;
  clock: Clock;
  hosts: JourneyHosts;
}

/** Creates a transaction for an authenticated customer and answers where to send the user. */
export async function initiate(
  deps: InitiateDeps,
  customer: Customer,
  request: InitiateRequest,
): Promise<InitiateResponse> {
  const options = resolveOptions(customer.settings, request);
  const now = deps.clock.now();
  const reference = randomUUID();
  const token = issueAuthorizationToken(reference);
  // Built before anything is stored, so a misconfigured host cannot leave an unusable transaction.
  const redirectUrl = journeyUrl(deps.hosts, customer.settings.domainPrefix, options.locale, token);

  const transaction: Transaction = {
    reference,
    customerId: customer.customerId,
    state: 'INITIATED',
    createdAt: now.toISOString(),
    customerInternalReference: request.customerInternalReference,
    userReference: request.userReference,
    ...(request.reportingCriteria !== undefined ? { reportingCriteria: request.reportingCriteria } : {}),
    options,
    tokenHash: sha256(token),
    tokenExpiresAt: now.getTime() + options.tokenLifetimeInMinutes * 60_000,
  };
  await deps.transactions.create(transaction);

  return { timestamp: now.toISOString(), transactionReference: reference, redirectUrl };
}
