import { beforeEach, describe, expect, it } from 'vitest';
import type { AamvaData } from '#domain/aamva';
import type { MrzReading } from '#domain/mrz';
import type { PrintedFields, PrintedReading } from '#domain/printed-fields';
import type { Transaction } from '#domain/transaction';
import type { PrintedFieldReader } from '#use-cases/ports';
import { type VerifyDeps, verifyTransaction } from '#use-cases/verify';
import {
  FakeClock,
  FakeImageInspector,
  InMemoryImageStore,
  InMemoryTransactions,
  RecordingQueue,
} from './in-memory-ports.ts';
import { mrzReading, transactionFixture } from './transaction-fixtures.ts';

/** The worker reads printed fields only where neither an MRZ nor a barcode gave anything. */

const REF = 'a1b2c3d4-0000-4000-8000-00000000p001';
const FRONT = `tx/${REF}/front/00000000-0000-4000-8000-000000000001`;
const BACK = `tx/${REF}/back/00000000-0000-4000-8000-000000000002`;

const FIELDS: PrintedFields = {
  country: 'DEU',
  lastName: 'MUSTERMANN',
  firstName: 'ERIKA',
  birthDate: '1964-08-12',
  issueDate: '2013-01-19',
  expirationDate: '2033-01-18',
  documentNumber: 'K072RRE2155',
};

let transactions: InMemoryTransactions;
let images: InMemoryImageStore;
let deps: VerifyDeps;
const mrz = new Map<string, MrzReading>();
const barcodes = new Map<string, AamvaData>();
const printedAnswers = new Map<string, PrintedReading>();
let printedCalls: string[];

beforeEach(() => {
  const clock = new FakeClock('2026-11-01T10:00:00.000Z');
  transactions = new InMemoryTransactions(clock);
  images = new InMemoryImageStore();
  mrz.clear();
  barcodes.clear();
  printedAnswers.clear();
  printedCalls = [];
  const printed: PrintedFieldReader = {
    read: async (image) => {
      printedCalls.push(image.toString());
      return printedAnswers.get(image.toString());
    },
  };
  deps = {
    transactions,
    images,
    inspector: new FakeImageInspector(),
    mrz: { read: async (image) => mrz.get(image.toString()) },
    barcode: { readPdf417: async (image) => barcodes.get(image.toString()) },
    printed,
    faces: { compare: async () => ({ selfieFaces: 0, documentFaces: 0 }) },
    callbackQueue: new RecordingQueue(),
    clock,
  };
});

const capture = (key: string) => ({
  key,
  contentType: 'image/jpeg' as const,
  source: 'camera' as const,
  acceptedAt: '2026-11-01T09:30:00.000Z',
});

async function submitted(
  idType: 'DRIVING_LICENSE' | 'ID_CARD' | 'PASSPORT',
  sides: { front?: string; back?: string },
) {
  const captures: Transaction['captures'] = {};
  if (sides.front !== undefined) {
    captures.front = capture(FRONT);
    images.upload(FRONT, Buffer.from(sides.front), 'image/jpeg');
  }
  if (sides.back !== undefined) {
    captures.back = capture(BACK);
    images.upload(BACK, Buffer.from(sides.back), 'image/jpeg');
  }
  await transactions.create(
    transactionFixture({
      reference: REF,
      state: 'SUBMITTED',
      createdAt: '2026-11-01T09:00:00.000Z',
      startedAt: '2026-11-01T09:10:00.000Z',
      document: { country: 'DEU', idType },
      captures,
      submittedAt: '2026-11-01T09:35:00.000Z',
    }),
  );
}

const outcome = () => transactions.transactions.get(REF)?.outcome;
const both = (second: PrintedFields = FIELDS): PrintedReading => ({
  layout: 'EU_DRIVING_LICENCE',
  passes: [FIELDS, second],
});

describe('verifyTransaction with printed fields', () => {
  it('a licence front with no MRZ and no barcode, confirmed → APPROVED_VERIFIED from the printed fields', async () => {
    await submitted('DRIVING_LICENSE', { front: 'licence-front', back: 'licence-back' });
    printedAnswers.set('licence-front', both());
    await verifyTransaction(deps, REF);
    expect(outcome()).toMatchObject({
      verificationStatus: 'APPROVED_VERIFIED',
      idType: 'DRIVING_LICENSE',
      idCountry: 'DEU',
      idNumber: 'K072RRE2155',
      idLastName: 'MUSTERMANN',
      mrzCheck: 'NOT_AVAILABLE',
    });
    expect(printedCalls).toEqual(['licence-front']);
  });

  it('the passes disagree → FAILED, ERROR_NOT_READABLE_ID, no printed value reported', async () => {
    await submitted('DRIVING_LICENSE', { front: 'licence-front' });
    printedAnswers.set('licence-front', both({ ...FIELDS, documentNumber: 'B072RRE2155' }));
    await verifyTransaction(deps, REF);
    expect(transactions.transactions.get(REF)?.state).toBe('FAILED');
    expect(outcome()).toMatchObject({
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      mrzCheck: 'NOT_AVAILABLE',
    });
    expect(outcome()?.idNumber).toBeUndefined();
  });

  it('the sides swapped: the back is read when the front gave nothing', async () => {
    await submitted('DRIVING_LICENSE', { front: 'blank', back: 'licence-front' });
    printedAnswers.set('licence-front', both());
    await verifyTransaction(deps, REF);
    expect(printedCalls).toEqual(['blank', 'licence-front']);
    expect(outcome()?.verificationStatus).toBe('APPROVED_VERIFIED');
  });

  it('an ID card with an MRZ: the printed reader is never asked, even when the MRZ fails its checks', async () => {
    await submitted('ID_CARD', { front: 'card-front', back: 'card-back' });
    mrz.set('card-back', mrzReading({}, false));
    printedAnswers.set('card-front', both());
    await verifyTransaction(deps, REF);
    expect(printedCalls).toEqual([]);
    expect(outcome()).toMatchObject({ verificationStatus: 'ERROR_NOT_READABLE_ID', mrzCheck: 'NOT_OK' });
  });

  it('a decoded barcode: the printed reader is never asked', async () => {
    await submitted('DRIVING_LICENSE', { front: 'licence-front', back: 'pdf417' });
    barcodes.set('pdf417', {
      subfile: 'DL',
      country: 'USA',
      state: 'CA',
      documentNumber: 'D1234567',
      lastName: 'DOE',
      firstName: 'JANE',
      birthDate: '1990-01-01',
      expirationDate: '2030-01-01',
    } as AamvaData);
    printedAnswers.set('licence-front', both());
    await verifyTransaction(deps, REF);
    expect(printedCalls).toEqual([]);
    expect(outcome()).toMatchObject({ verificationStatus: 'APPROVED_VERIFIED', idNumber: 'D1234567' });
  });

  it('a passport: never read for printed fields', async () => {
    await submitted('PASSPORT', { front: 'licence-front' });
    printedAnswers.set('licence-front', both());
    await verifyTransaction(deps, REF);
    expect(printedCalls).toEqual([]);
    expect(outcome()?.verificationStatus).toBe('ERROR_NOT_READABLE_ID');
  });

  it('without a printed reader (the Textract deployment), a licence with nothing machine-readable is not readable', async () => {
    await submitted('DRIVING_LICENSE', { front: 'licence-front' });
    printedAnswers.set('licence-front', both());
    const { printed: _, ...without } = deps;
    await verifyTransaction(without, REF);
    expect(outcome()).toMatchObject({
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      mrzCheck: 'NOT_AVAILABLE',
    });
  });
});
