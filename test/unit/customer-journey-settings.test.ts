import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#domain/errors';
import { PerformNetverifyRequest } from '#domain/perform-netverify';
import type { Transaction } from '#domain/transaction';
import { checkCapture, issueUpload, type JourneyDeps, submitJourney } from '#use-cases/journey';
import { openSession } from '#use-cases/open-session';
import { performNetverify } from '#use-cases/perform-netverify';
import { type VerifyDeps, verifyTransaction } from '#use-cases/verify';
import {
  FakeClock,
  FakeImageInspector,
  InMemoryImageStore,
  InMemoryTransactions,
  RecordingQueue,
  USABLE_IMAGE,
} from './in-memory-ports.ts';
import {
  CUSTOMER_ID,
  customerWith,
  initiatedJourney,
  mrzReading,
  startedJourney,
  transactionFixture,
} from './transaction-fixtures.ts';

/**
 * The customer's accepted IDs and branding from initiate to verdict: the session offers and shows
 * them, submission and performNetverify refuse what is not accepted, and the worker judges the
 * document it read against them.
 */

const ACCEPTED_IDS = { default: 'NONE', countries: { AUT: ['PASSPORT', 'ID_CARD'], DEU: 'ALL' } };
const BRANDING = {
  de: { primaryColor: '#123456', headerImage: 'header-0123456789abcdef.png' },
  en: { primaryColor: '#abcdef', secondaryColor: '#000000' },
};

let clock: FakeClock;
let transactions: InMemoryTransactions;
let images: InMemoryImageStore;
let journey: JourneyDeps;
let ids: number;

beforeEach(() => {
  clock = new FakeClock('2018-07-03T08:23:12.494Z');
  transactions = new InMemoryTransactions(clock);
  images = new InMemoryImageStore();
  ids = 0;
  journey = {
    transactions,
    images,
    inspector: new FakeImageInspector(),
    callbackQueue: new RecordingQueue(),
    clock,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  };
});

describe('the session', () => {
  it("offers only the customer's accepted documents", async () => {
    const { token } = await initiatedJourney({ transactions, clock }, {}, { acceptedIds: ACCEPTED_IDS });
    const session = await openSession({ transactions, clock }, token);
    expect(session.acceptedDocuments).toEqual([
      { country: 'AUT', region: 'AT', types: ['PASSPORT', 'ID_CARD'] },
      { country: 'DEU', region: 'DE', types: ['PASSPORT', 'DRIVING_LICENSE', 'ID_CARD'] },
    ]);
  });

  it("shows the branding of the transaction's locale, image as a URL, fallback field by field", async () => {
    const settings = { branding: BRANDING, defaultLocale: 'en' };
    const de = await initiatedJourney({ transactions, clock }, { locale: 'de' }, settings);
    expect((await openSession({ transactions, clock }, de.token)).branding).toEqual({
      primaryColor: '#123456',
      secondaryColor: '#000000',
      headerImage: `/web/v4/branding/${CUSTOMER_ID}/header-0123456789abcdef.png`,
    });
    const fr = await initiatedJourney({ transactions, clock }, { locale: 'fr' }, settings);
    expect((await openSession({ transactions, clock }, fr.token)).branding).toEqual({
      primaryColor: '#abcdef',
      secondaryColor: '#000000',
    });
  });

  it('keeps nothing on the transaction for a customer who accepts everything and brands nothing', async () => {
    const { reference } = await initiatedJourney({ transactions, clock });
    const { options } = transactions.transactions.get(reference) as Transaction;
    expect(options).not.toHaveProperty('acceptedIds');
    expect(options).not.toHaveProperty('branding');
  });
});

describe('submitJourney', () => {
  async function capturedPassport() {
    const started = await startedJourney(
      { transactions, clock },
      { workflowId: 100 },
      { acceptedIds: ACCEPTED_IDS },
    );
    for (const side of ['front', 'back'] as const) {
      const ticket = await issueUpload(journey, started.token, {
        side,
        contentType: 'image/jpeg',
        size: USABLE_IMAGE.length,
        source: 'upload',
      });
      images.upload(ticket.key, USABLE_IMAGE, 'image/jpeg', { source: 'upload' });
      await checkCapture(journey, started.token, { side, key: ticket.key });
    }
    return started;
  }

  const refusedWith = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map(({ field, rule }) => ({ field, rule }));
  };

  it.each([
    ['FRA', 'ID_CARD', 'country'],
    ['AUT', 'DRIVING_LICENSE', 'idType'],
  ] as const)('refuses %s %s: 400, %s accepted-id', async (country, idType, field) => {
    const { token } = await capturedPassport();
    expect(
      await refusedWith(submitJourney(journey, token, { country, idType, embedded: false }, undefined)),
    ).toEqual([{ field, rule: 'accepted-id' }]);
  });

  it('submits an accepted one', async () => {
    const { token } = await capturedPassport();
    expect(
      await submitJourney(journey, token, { country: 'AUT', idType: 'ID_CARD', embedded: false }, undefined),
    ).toEqual({ transactionStatus: 'SUCCESS' });
  });

  it('performNetverify refuses a document the account does not accept, storing nothing', async () => {
    const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);
    const request = PerformNetverifyRequest.parse({
      merchantIdScanReference: 'scan_1234',
      frontsideImage: JPEG.toString('base64'),
      country: 'FRA',
      idType: 'PASSPORT',
    });
    const deps = {
      transactions,
      images,
      verifyQueue: new RecordingQueue(),
      callbackQueue: new RecordingQueue(),
      clock,
      newId: journey.newId,
    };
    const customer = customerWith({ acceptedIds: ACCEPTED_IDS });
    expect(await refusedWith(performNetverify(deps, customer, request))).toEqual([
      { field: 'country', rule: 'accepted-id' },
    ]);
    expect(images.objects.size).toBe(0);
    const accepted = await performNetverify(deps, customer, { ...request, country: 'AUT' });
    expect(transactions.transactions.get(accepted.jumioIdScanReference)?.options.acceptedIds).toMatchObject(
      ACCEPTED_IDS,
    );
  });
});

describe('the verdict', () => {
  const FRONT = 'tx/a1b2c3d4-0000-4000-8000-000000000001/front/00000000-0000-4000-8000-000000000001';

  async function verifyPassport(acceptedIds: unknown, issuingState: string) {
    const reference = 'a1b2c3d4-0000-4000-8000-000000000001';
    const base = transactionFixture();
    images.upload(FRONT, Buffer.from('passport'), 'image/jpeg');
    await transactions.create({
      ...base,
      state: 'SUBMITTED',
      options: {
        ...base.options,
        ...(acceptedIds ? { acceptedIds: customerWith({ acceptedIds }).settings.acceptedIds } : {}),
      },
      document: { country: 'AUT', idType: 'PASSPORT' },
      captures: {
        front: { key: FRONT, contentType: 'image/jpeg', source: 'upload', acceptedAt: base.createdAt },
      },
      submittedAt: base.createdAt,
    });
    const deps: VerifyDeps = {
      transactions,
      images,
      inspector: new FakeImageInspector(),
      mrz: { read: async () => mrzReading({ issuingState, nationality: issuingState }) },
      barcode: { readPdf417: async () => undefined },
      faces: { compare: async () => Promise.reject(new Error('not an identity workflow')) },
      callbackQueue: new RecordingQueue(),
      clock,
    };
    expect(await verifyTransaction(deps, reference)).toBe('verified');
    return transactions.transactions.get(reference)?.outcome;
  }

  it('a passport of a country the customer does not accept, though the user chose one it does → DENIED_UNSUPPORTED_ID_COUNTRY', async () => {
    expect(await verifyPassport(ACCEPTED_IDS, 'FRA')).toMatchObject({
      verificationStatus: 'DENIED_UNSUPPORTED_ID_COUNTRY',
      idCountry: 'FRA',
    });
  });

  it('a type the country is not accepted with → DENIED_UNSUPPORTED_ID_TYPE', async () => {
    const onlyIdCards = { default: 'NONE', countries: { AUT: ['ID_CARD'] } };
    expect(await verifyPassport(onlyIdCards, 'AUT')).toMatchObject({
      verificationStatus: 'DENIED_UNSUPPORTED_ID_TYPE',
      idType: 'PASSPORT',
    });
  });

  it('an accepted document, or a transaction without accepted IDs → APPROVED_VERIFIED', async () => {
    expect(await verifyPassport(ACCEPTED_IDS, 'AUT')).toMatchObject({
      verificationStatus: 'APPROVED_VERIFIED',
    });
  });

  it('a transaction created before accepted IDs existed accepts any country', async () => {
    expect(await verifyPassport(undefined, 'FRA')).toMatchObject({ verificationStatus: 'APPROVED_VERIFIED' });
  });
});
