import type { VerificationOutcome } from '#domain/callback';
import type { Customer } from '#domain/customer';
import { InitiateRequest } from '#domain/initiate-request';
import type { MrzFields, MrzReading } from '#domain/mrz';
import { sha256 } from '#domain/secrets';
import { CustomerSettings, resolveOptions } from '#domain/settings';
import type { Transaction } from '#domain/transaction';
import { initiate } from '#use-cases/initiate';
import { openSession } from '#use-cases/open-session';
import type { Clock, TransactionRepository } from '#use-cases/ports';

/** Transactions and customers for the use-case tests: made the way the product makes them. */

export const CUSTOMER_ID = 'customer-1';

export function customerWith(settings: Record<string, unknown> = {}, id = CUSTOMER_ID): Customer {
  return {
    customerId: id,
    name: 'Example Corp',
    settings: CustomerSettings.parse(settings),
    createdAt: '2018-01-01T00:00:00.000Z',
  };
}

/** Initiates a transaction and opens its session (STARTED), as the journey page does. */
export async function startedJourney(
  deps: { transactions: TransactionRepository; clock: Clock },
  request: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): Promise<{ token: string; reference: string }> {
  const { token, reference } = await initiatedJourney(deps, request, settings);
  await openSession(deps, token);
  return { token, reference };
}

/** Initiates a transaction whose session nobody opened (INITIATED). */
export async function initiatedJourney(
  deps: { transactions: TransactionRepository; clock: Clock },
  request: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): Promise<{ token: string; reference: string }> {
  const response = await initiate(
    { ...deps, hosts: { baseUrl: 'https://verify.example.com' } },
    customerWith(settings),
    InitiateRequest.parse({
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
      ...request,
    }),
  );
  const token = new URL(response.redirectUrl).searchParams.get('authorizationToken') ?? '';
  return { token, reference: response.transactionReference };
}

/** A stored transaction in any state, for the stages after the journey. */
export function transactionFixture(overrides: Partial<Transaction> = {}): Transaction {
  const createdAt = overrides.createdAt ?? '2018-07-03T08:00:00.000Z';
  return {
    reference: 'a1b2c3d4-0000-4000-8000-000000000001',
    customerId: CUSTOMER_ID,
    state: 'INITIATED',
    createdAt,
    customerInternalReference: 'transaction_1234',
    userReference: 'user_1234',
    options: resolveOptions(
      CustomerSettings.parse({}),
      InitiateRequest.parse({
        customerInternalReference: 'transaction_1234',
        userReference: 'user_1234',
        callbackUrl: 'https://callbacks.example.com/netverify',
      }),
    ),
    tokenHash: sha256('token'),
    tokenExpiresAt: Date.parse(createdAt) + 30 * 60_000,
    ...overrides,
  };
}

export const APPROVED: VerificationOutcome = {
  verificationStatus: 'APPROVED_VERIFIED',
  idType: 'PASSPORT',
  idCountry: 'AUT',
  idNumber: 'P1234567',
  idFirstName: 'ANNA',
  idLastName: 'MUSTER',
  idDob: '1990-01-01',
  idExpiry: '2030-12-31',
  personalNumber: '123',
  gender: 'F',
  nationality: 'AUT',
  mrzCheck: 'OK',
};

/** What the MRZ reader answers for a passport (valid: every check digit passes). */
export function mrzReading(fields: Partial<MrzFields> = {}, valid = true): MrzReading {
  return {
    format: 'TD3',
    lines: [],
    valid,
    repaired: false,
    fields: {
      documentCode: 'P',
      issuingState: 'AUT',
      documentNumber: 'P1234567',
      nationality: 'AUT',
      lastName: 'MUSTER',
      firstName: 'ANNA MARIA',
      birthDate: '1990-01-31',
      sex: 'F',
      expirationDate: '2030-12-31',
      ...fields,
    },
    checks: { documentNumber: valid, birthDate: valid, expirationDate: valid, composite: valid },
  };
}
