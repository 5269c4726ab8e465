import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { AcceptedIds } from '#domain/accepted-ids';
import { issueAuthorizationToken } from '#domain/authorization-token';
import { COUNTRIES } from '#domain/countries';
import { SessionRejected, ValidationError } from '#domain/errors';
import { ID_TYPES, type IdType } from '#domain/initiate-request';
import type { CaptureSide } from '#domain/journey';
import { sha256 } from '#domain/secrets';
import { DEFAULT_SETTINGS, resolveOptions, type TransactionOptions } from '#domain/settings';
import { ruleAllows, submitRule } from '#domain/submit-rule';
import type { Transaction } from '#domain/transaction';
import { type JourneyDeps, submitJourney } from '#use-cases/journey';
import type { Submission } from '#use-cases/ports';
import { freshTable, manualClock } from './fixtures.ts';

/**
 * Submission in one conditional write, against DynamoDB Local: the condition the adapter writes
 * refuses exactly what submitJourney's checks refuse, and a refused write is explained (or, for a
 * record started before the rule existed, submitted the long way) by the use case.
 */

const MINUTE = 60_000;
let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});

function system() {
  const clock = manualClock();
  const repo = dynamoTransactionRepository(table.db, table.tableName, clock);
  return { clock, repo };
}

interface Started {
  reference: string;
  token: string;
  transaction: Transaction;
}

/** A journey started as openSession starts it, with the given sides accepted. */
async function started(
  sys: ReturnType<typeof system>,
  {
    options = {},
    sides = ['front'],
    keepUntil,
    rule = true,
  }: {
    options?: Partial<TransactionOptions>;
    sides?: CaptureSide[];
    keepUntil?: number;
    rule?: boolean;
  } = {},
): Promise<Started> {
  const { clock, repo } = sys;
  const reference = randomUUID();
  const token = issueAuthorizationToken(reference);
  const now = clock.now().getTime();
  const transaction: Transaction = {
    reference,
    customerId: 'c1',
    state: 'INITIATED',
    createdAt: clock.now().toISOString(),
    customerInternalReference: 'transaction_1234',
    userReference: 'user_1234',
    options: {
      ...resolveOptions(DEFAULT_SETTINGS, {
        customerInternalReference: 'transaction_1234',
        userReference: 'user_1234',
        workflowId: 100,
      }),
      ...options,
    },
    tokenHash: sha256(token),
    tokenExpiresAt: now + 30 * MINUTE,
  };
  await repo.create(transaction);
  await repo.markStarted(
    reference,
    clock.now().toISOString(),
    keepUntil ?? now + 360 * 24 * 60 * MINUTE,
    now + 15 * MINUTE,
    submitRule(transaction.options),
  );
  // A record started before the rule existed: none on it.
  if (!rule) {
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: `TX#${reference}`, sk: 'TRANSACTION' },
        UpdateExpression: 'REMOVE submitAllow, submitDeny, submitFace, submitBy',
      }),
    );
  }
  for (const side of sides) {
    await repo.recordCapture(
      reference,
      side,
      {
        key: `tx/${reference}/${side}/1`,
        contentType: 'image/jpeg',
        source: 'upload',
        acceptedAt: clock.now().toISOString(),
      },
      now + 16 * MINUTE,
    );
  }
  return { reference, token, transaction };
}

const submission = (country: string, idType: IdType, at: number): Submission => ({
  document: { country, idType },
  embedded: true,
  clientIp: '203.0.113.9',
  at: new Date(at).toISOString(),
});

const checkOf = (token: string, now: number, idType: IdType = 'PASSPORT') => ({
  tokenHash: sha256(token),
  now,
  sides: (idType === 'PASSPORT' ? ['front'] : ['front', 'back']) as CaptureSide[],
});

async function rawState(reference: string): Promise<unknown> {
  const { Item } = await table.db.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: `TX#${reference}`, sk: 'TRANSACTION' } }),
  );
  return Item?.state;
}

describe('submitChecked', () => {
  it('submits a started journey whose every check holds, once, deriving the scan source', async () => {
    const sys = system();
    const { reference, token } = await started(sys);
    const now = sys.clock.now().getTime();
    expect(
      await sys.repo.submitChecked(reference, checkOf(token, now), submission('AUT', 'PASSPORT', now)),
    ).toBe(true);
    expect(await sys.repo.get(reference)).toMatchObject({
      state: 'SUBMITTED',
      document: { country: 'AUT', idType: 'PASSPORT' },
      source: 'WEB_UPLOAD',
      clientIp: '203.0.113.9',
      submittedAt: new Date(now).toISOString(),
    });
    // The flag stays the adapter's; the rule, having served, is gone from the record itself.
    const read = (await sys.repo.get(reference)) as unknown as Record<string, unknown>;
    expect(read.embedded).toBeUndefined();
    const { Item: raw = {} } = await table.db.send(
      new GetCommand({ TableName: table.tableName, Key: { pk: `TX#${reference}`, sk: 'TRANSACTION' } }),
    );
    expect(raw.embedded).toBe(true);
    for (const attribute of ['submitAllow', 'submitDeny', 'submitFace', 'submitBy'])
      expect(raw[attribute]).toBeUndefined();
    expect(
      await sys.repo.submitChecked(reference, checkOf(token, now), submission('AUT', 'PASSPORT', now)),
    ).toBe(false);
  });

  it.each([
    [
      'another token',
      async (s: Started) => ({ check: { tokenHash: sha256(issueAuthorizationToken(s.reference)) } }),
    ],
    ['the token expired', async () => ({ later: 30 * MINUTE })],
    ['a side not accepted (an ID card without its back)', async () => ({ idType: 'ID_CARD' as const })],
  ])('refuses %s, and leaves the record STARTED', async (_, change) => {
    const sys = system();
    const journey = await started(sys);
    const {
      check = {},
      later = 0,
      idType = 'PASSPORT',
    } = (await change(journey)) as {
      check?: Partial<ReturnType<typeof checkOf>>;
      later?: number;
      idType?: IdType;
    };
    const now = sys.clock.now().getTime() + later;
    expect(
      await sys.repo.submitChecked(
        journey.reference,
        { ...checkOf(journey.token, now, idType), ...check },
        submission('AUT', idType, now),
      ),
    ).toBe(false);
    expect(await rawState(journey.reference)).toBe('STARTED');
  });

  it('refuses a record past its TTL, one finished, one erased, one without a rule', async () => {
    const sys = system();
    const now = sys.clock.now().getTime();
    const pastTtl = await started(sys, { keepUntil: now + MINUTE });
    const noRule = await started(sys, { rule: false });
    const erased = await started(sys);
    await sys.repo.erase(erased.reference, new Date(now).toISOString());
    const finished = await started(sys);
    await sys.repo.submit(finished.reference, submission('AUT', 'PASSPORT', now));
    await sys.repo.finish(
      finished.reference,
      { verificationStatus: 'APPROVED_VERIFIED' },
      new Date(now).toISOString(),
      'DONE',
    );
    const at = now + 2 * MINUTE;
    for (const journey of [pastTtl, noRule, erased, finished]) {
      expect(
        await sys.repo.submitChecked(
          journey.reference,
          checkOf(journey.token, at),
          submission('AUT', 'PASSPORT', at),
        ),
      ).toBe(false);
    }
    expect(await rawState(noRule.reference)).toBe('STARTED');
    expect(
      await sys.repo.submitChecked(
        randomUUID(),
        checkOf(noRule.token, at),
        submission('AUT', 'PASSPORT', at),
      ),
    ).toBe(false);
  });

  it('wants the selfie in ID + Identity, and only there', async () => {
    const sys = system();
    const now = sys.clock.now().getTime();
    const identity = { verificationType: 'ID_AND_IDENTITY' as const };
    const withoutFace = await started(sys, { options: identity });
    const withFace = await started(sys, { options: identity, sides: ['front', 'face'] });
    const idOnly = await started(sys);
    const submit = (journey: Started) =>
      sys.repo.submitChecked(
        journey.reference,
        checkOf(journey.token, now),
        submission('AUT', 'PASSPORT', now),
      );
    expect(await submit(withoutFace)).toBe(false);
    expect(await submit(withFace)).toBe(true);
    expect(await submit(idOnly)).toBe(true);
  });

  it('allows exactly the choices the rule allows, in each of its spellings (any, allow, deny)', async () => {
    const sys = system();
    const now = sys.clock.now().getTime();
    const configurations: Array<Partial<TransactionOptions>> = [
      {},
      { presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }] },
      { acceptedIds: AcceptedIds.parse({ default: 'NONE', countries: { DEU: ['ID_CARD'], AUT: 'ALL' } }) },
      { acceptedIds: AcceptedIds.parse({ default: 'ALL', countries: { RUS: 'NONE', FRA: ['PASSPORT'] } }) },
    ];
    const spellings = new Set<string>();
    const codes = COUNTRIES.map(({ country }) => country);
    for (const options of configurations) {
      // The edge cases of each configuration, and a spread of the others.
      const probes: Array<[string, IdType]> = [
        ['AUT', 'PASSPORT'],
        ['AUT', 'ID_CARD'],
        ['DEU', 'ID_CARD'],
        ['DEU', 'PASSPORT'],
        ['RUS', 'PASSPORT'],
        ['FRA', 'PASSPORT'],
        ['FRA', 'DRIVING_LICENSE'],
        ...codes
          .filter((_, index) => index % 61 === 0)
          .map((code, index): [string, IdType] => [code, ID_TYPES[index % ID_TYPES.length] as IdType]),
      ];
      for (const [country, idType] of probes) {
        const journey = await started(sys, { options, sides: ['front', 'back'] });
        const rule = submitRule(journey.transaction.options);
        spellings.add(Object.keys(rule).find((key) => key !== 'face') ?? '');
        const applied = await sys.repo.submitChecked(
          journey.reference,
          checkOf(journey.token, now, idType),
          submission(country, idType, now),
        );
        expect({ options, country, idType, applied }).toEqual({
          options,
          country,
          idType,
          applied: ruleAllows(rule, country, idType),
        });
      }
    }
    expect([...spellings].sort()).toEqual(['allow', 'any', 'deny']);
  });
});

describe('submitJourney on DynamoDB', () => {
  const deps = (sys: ReturnType<typeof system>) =>
    ({ transactions: sys.repo, clock: sys.clock }) as unknown as JourneyDeps;
  const request = (country: string, idType: IdType) => ({ country, idType, embedded: false });

  it('submits a record started before the rule existed the long way, with the same checks', async () => {
    const sys = system();
    const legacy = await started(sys, {
      rule: false,
      options: { presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }] },
    });
    await expect(
      submitJourney(deps(sys), legacy.token, request('DEU', 'PASSPORT'), undefined),
    ).rejects.toThrow(ValidationError);
    await expect(
      submitJourney(deps(sys), legacy.token, request('AUT', 'PASSPORT'), undefined),
    ).resolves.toEqual({
      transactionStatus: 'SUCCESS',
    });
    expect(await sys.repo.get(legacy.reference)).toMatchObject({
      state: 'SUBMITTED',
      source: 'REDIRECT_UPLOAD',
    });
  });

  it('explains a refused write: 9200 for a wrong token, 9210 once expired, the fields for a bad choice', async () => {
    const sys = system();
    const journey = await started(sys, {
      options: { presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }] },
    });
    const code = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error instanceof SessionRejected) return error.errorCode;
      if (error instanceof ValidationError) return error.issues.map(({ field, rule }) => `${field}:${rule}`);
      return error;
    };
    expect(
      await code(
        submitJourney(
          deps(sys),
          issueAuthorizationToken(journey.reference),
          request('AUT', 'PASSPORT'),
          undefined,
        ),
      ),
    ).toBe(9200);
    expect(await code(submitJourney(deps(sys), journey.token, request('DEU', 'ID_CARD'), undefined))).toEqual(
      ['country:preset', 'idType:preset', 'back:captured'],
    );
    sys.clock.advance(30 * MINUTE);
    expect(await code(submitJourney(deps(sys), journey.token, request('AUT', 'PASSPORT'), undefined))).toBe(
      9210,
    );
    expect(await rawState(journey.reference)).toBe('STARTED');
  });
});
