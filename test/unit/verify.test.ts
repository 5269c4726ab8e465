import { beforeEach, describe, expect, it } from 'vitest';
import type { AamvaData } from '#domain/aamva';
import type { FaceComparison, FaceMatcher } from '#domain/identity';
import { rejectReasonOf } from '#domain/image-rules';
import type { MrzReading } from '#domain/mrz';
import type { Transaction } from '#domain/transaction';
import { type MrzReader, type VerifyDeps, verifyTransaction } from '#use-cases/verify';
import {
  FakeClock,
  FakeImageInspector,
  InMemoryImageStore,
  InMemoryTransactions,
  MINUTE,
  RecordingQueue,
} from './in-memory-ports.ts';
import { APPROVED, mrzReading, transactionFixture } from './transaction-fixtures.ts';

/** The verification worker's step: intake, MRZ, decision; one verdict and one callback per transaction. */

const REF = 'a1b2c3d4-0000-4000-8000-000000000001';
const FRONT = `tx/${REF}/front/00000000-0000-4000-8000-000000000001`;
const BACK = `tx/${REF}/back/00000000-0000-4000-8000-000000000002`;

/** Answers by the image's bytes (as text), and records what it was asked to read. */
class FakeMrzReader implements MrzReader {
  readonly read_: string[] = [];
  readonly answers = new Map<string, MrzReading | undefined>();
  async read(image: Buffer): Promise<MrzReading | undefined> {
    this.read_.push(image.toString());
    return this.answers.get(image.toString());
  }
}

let clock: FakeClock;
let transactions: InMemoryTransactions;
let images: InMemoryImageStore;
let mrz: FakeMrzReader;
let callbackQueue: RecordingQueue;
let deps: VerifyDeps;
let finishes: number;

beforeEach(() => {
  clock = new FakeClock('2018-07-03T08:40:00.000Z');
  transactions = new InMemoryTransactions(clock);
  images = new InMemoryImageStore();
  mrz = new FakeMrzReader();
  callbackQueue = new RecordingQueue();
  finishes = 0;
  const finish = transactions.finish.bind(transactions);
  transactions.finish = async (...args) => {
    const applied = await finish(...args);
    if (applied) finishes++;
    return applied;
  };
  faces = {
    calls: 0,
    comparison: {
      selfieFaces: 1,
      documentFaces: 1,
      similarity: 0.7,
      selfieFaceWidthPx: 300,
      selfieFaceShare: 0.2,
    },
  };
  const matcher: FaceMatcher = {
    compare: async () => {
      faces.calls++;
      return faces.comparison;
    },
  };
  deps = {
    transactions,
    images,
    inspector: new FakeImageInspector(),
    mrz,
    barcode: { readPdf417: async (image: Buffer) => barcodes.get(image.toString()) },
    faces: matcher,
    callbackQueue,
    clock,
  };
});

/** What the fake barcode reader decodes, by the image's bytes. */
const barcodes = new Map<string, AamvaData>();

let faces: { calls: number; comparison: FaceComparison };

const capture = (key: string) => ({
  key,
  contentType: 'image/jpeg' as const,
  source: 'camera' as const,
  acceptedAt: '2018-07-03T08:30:00.000Z',
});

/** A submitted transaction with the images `sides` names, each stored with those bytes. */
async function submitted(
  document: NonNullable<Transaction['document']>,
  sides: { front?: string; back?: string },
  overrides: Partial<Transaction> = {},
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
      startedAt: '2018-07-03T08:10:00.000Z',
      document,
      captures,
      submittedAt: '2018-07-03T08:35:00.000Z',
      ...overrides,
    }),
  );
}

const stored = () => transactions.transactions.get(REF);

describe('verifyTransaction', () => {
  it('a readable passport → DONE, APPROVED_VERIFIED with what the MRZ says, one callback queued', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' });
    mrz.answers.set('passport', mrzReading());
    expect(await verifyTransaction(deps, REF)).toBe('verified');
    expect(stored()).toMatchObject({
      state: 'DONE',
      outcome: {
        verificationStatus: 'APPROVED_VERIFIED',
        idType: 'PASSPORT',
        idCountry: 'AUT',
        idNumber: 'P1234567',
        idLastName: 'MUSTER',
        idExpiry: '2030-12-31',
        mrzCheck: 'OK',
      },
      completedAt: clock.now().toISOString(),
      callbackQueuedAt: clock.now().toISOString(),
    });
    expect(callbackQueue.sent).toEqual([{ message: { reference: REF, kind: 'final' } }]);
  });

  it('is idempotent: run twice, one verdict and one callback message', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' });
    mrz.answers.set('passport', mrzReading());
    await verifyTransaction(deps, REF);
    const first = stored();
    clock.advance(MINUTE);
    expect(await verifyTransaction(deps, REF)).toBe('already-finished');
    expect(finishes).toBe(1);
    expect(callbackQueue.sent).toHaveLength(1);
    expect(stored()).toEqual(first);
    expect(mrz.read_).toEqual(['passport']);
  });

  it('two runs at once (SQS delivered twice): one verdict, one callback message', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' });
    mrz.answers.set('passport', mrzReading());
    const results = await Promise.all([verifyTransaction(deps, REF), verifyTransaction(deps, REF)]);
    expect(results.sort()).toEqual(['already-finished', 'verified']);
    expect(finishes).toBe(1);
    expect(callbackQueue.sent).toHaveLength(1);
  });

  it('finished, but the callback was never queued (a run stopped in between) → queued once', async () => {
    await submitted(
      { country: 'AUT', idType: 'PASSPORT' },
      { front: 'passport' },
      { state: 'DONE', outcome: APPROVED },
    );
    expect(await verifyTransaction(deps, REF)).toBe('already-finished');
    expect(callbackQueue.sent).toEqual([{ message: { reference: REF, kind: 'final' } }]);
    expect(stored()?.callbackQueuedAt).toBe(clock.now().toISOString());
    expect(await verifyTransaction(deps, REF)).toBe('already-finished');
    expect(callbackQueue.sent).toHaveLength(1);
    expect(finishes).toBe(0);
    expect(mrz.read_).toEqual([]);
  });

  it.each(['INITIATED', 'STARTED'] as const)('a %s transaction is not verified', async (state) => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' }, { state });
    mrz.answers.set('passport', mrzReading());
    expect(await verifyTransaction(deps, REF)).toBe('not-submitted');
    expect(stored()?.state).toBe(state);
    expect(callbackQueue.sent).toEqual([]);
    expect(mrz.read_).toEqual([]);
  });

  it('a transaction that does not exist (deleted) → gone, nothing queued', async () => {
    expect(await verifyTransaction(deps, REF)).toBe('gone');
    expect(callbackQueue.sent).toEqual([]);
  });

  it('an MRZ whose checks fail → FAILED, ERROR_NOT_READABLE_ID, MRZ check NOT_OK', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' });
    mrz.answers.set('passport', mrzReading({}, false));
    expect(await verifyTransaction(deps, REF)).toBe('verified');
    expect(stored()).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'ERROR_NOT_READABLE_ID', mrzCheck: 'NOT_OK' },
    });
    expect(stored()?.outcome).not.toHaveProperty('idNumber');
    expect(callbackQueue.sent).toHaveLength(1);
  });

  it('no MRZ found → FAILED, ERROR_NOT_READABLE_ID, MRZ check NOT_AVAILABLE', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'blank' });
    expect(await verifyTransaction(deps, REF)).toBe('verified');
    expect(stored()).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'ERROR_NOT_READABLE_ID', mrzCheck: 'NOT_AVAILABLE', idType: 'PASSPORT' },
    });
  });

  it('an ID card is read on the back first; a valid reading there is enough', async () => {
    await submitted({ country: 'DEU', idType: 'ID_CARD' }, { front: 'card-front', back: 'card-back' });
    mrz.answers.set('card-back', mrzReading({ documentCode: 'ID', issuingState: 'D<<', nationality: 'D<<' }));
    await verifyTransaction(deps, REF);
    expect(mrz.read_).toEqual(['card-back']);
    expect(stored()?.outcome).toMatchObject({
      verificationStatus: 'APPROVED_VERIFIED',
      idType: 'ID_CARD',
      idCountry: 'DEU',
    });
  });

  it('an ID card whose back reads invalid is read on the front too, and a valid front wins', async () => {
    await submitted({ country: 'DEU', idType: 'ID_CARD' }, { front: 'card-front', back: 'card-back' });
    mrz.answers.set('card-back', mrzReading({}, false));
    mrz.answers.set('card-front', mrzReading({ documentCode: 'ID', issuingState: 'D', nationality: 'D' }));
    await verifyTransaction(deps, REF);
    expect(mrz.read_).toEqual(['card-back', 'card-front']);
    expect(stored()?.outcome?.verificationStatus).toBe('APPROVED_VERIFIED');
  });

  it('an invalid reading is kept when the other side has none', async () => {
    await submitted({ country: 'DEU', idType: 'ID_CARD' }, { front: 'card-front', back: 'card-back' });
    mrz.answers.set('card-back', mrzReading({}, false));
    await verifyTransaction(deps, REF);
    expect(stored()?.outcome).toMatchObject({
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      mrzCheck: 'NOT_OK',
    });
  });

  it('a passport is read on its photo page only', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport', back: 'other' });
    mrz.answers.set('other', mrzReading());
    await verifyTransaction(deps, REF);
    expect(mrz.read_).toEqual(['passport']);
    expect(stored()?.outcome?.verificationStatus).toBe('ERROR_NOT_READABLE_ID');
  });

  it('a document other than the preset’s → DONE with a DENIED status', async () => {
    await submitted(
      { country: 'AUT', idType: 'PASSPORT' },
      { front: 'passport' },
      {
        options: {
          ...transactionFixture().options,
          presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }],
        },
      },
    );
    mrz.answers.set('passport', mrzReading({ issuingState: 'CHE' }));
    await verifyTransaction(deps, REF);
    expect(stored()).toMatchObject({
      state: 'DONE',
      outcome: { verificationStatus: 'DENIED_UNSUPPORTED_ID_COUNTRY', idCountry: 'CHE' },
    });
    expect(callbackQueue.sent).toHaveLength(1);
  });

  it('a document expired on the clock’s day → DENIED_FRAUD', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' });
    mrz.answers.set('passport', mrzReading({ expirationDate: '2018-07-02' }));
    await verifyTransaction(deps, REF);
    expect(stored()).toMatchObject({ state: 'DONE', outcome: { verificationStatus: 'DENIED_FRAUD' } });
  });

  it('an image gone from the store → ERROR_NOT_READABLE_ID, without reading anything', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' });
    await images.deletePrefix(`tx/${REF}/`);
    await verifyTransaction(deps, REF);
    expect(stored()).toMatchObject({
      state: 'FAILED',
      outcome: { verificationStatus: 'ERROR_NOT_READABLE_ID', rejectReason: rejectReasonOf('NOT_AN_IMAGE') },
    });
    expect(mrz.read_).toEqual([]);
  });

  it('an image the intake refuses → ERROR_NOT_READABLE_ID with its reason', async () => {
    await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'NOT_AN_IMAGE' });
    await verifyTransaction(deps, REF);
    expect(stored()?.outcome).toEqual({
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      rejectReason: rejectReasonOf('NOT_AN_IMAGE'),
    });
    expect(callbackQueue.sent).toHaveLength(1);
  });

  describe('ID + Identity', () => {
    const identity = async (comparison: FaceComparison, withSelfie = true) => {
      faces.comparison = comparison;
      const transaction = transactionFixture({ reference: REF });
      await submitted(
        { country: 'AUT', idType: 'PASSPORT' },
        { front: 'passport' },
        {
          options: { ...transaction.options, verificationType: 'ID_AND_IDENTITY', workflowId: 200 },
          captures: {
            front: capture(FRONT),
            ...(withSelfie ? { face: capture('tx/selfie') } : {}),
          },
        },
      );
      images.upload('tx/selfie', Buffer.from('selfie'), 'image/jpeg');
      mrz.answers.set('passport', mrzReading());
      await verifyTransaction(deps, REF);
      return stored()?.outcome;
    };

    it('a matching selfie → MATCH, valid, with the score as faceMatch', async () => {
      const outcome = await identity({
        selfieFaces: 1,
        documentFaces: 1,
        similarity: 0.71,
        selfieFaceWidthPx: 300,
      });
      expect(outcome).toMatchObject({
        verificationStatus: 'APPROVED_VERIFIED',
        identityVerification: { similarity: 'MATCH', validity: true },
        faceMatch: 71,
      });
    });

    it('another person → NO_MATCH', async () => {
      const outcome = await identity({
        selfieFaces: 1,
        documentFaces: 1,
        similarity: 0.2,
        selfieFaceWidthPx: 300,
      });
      expect(outcome?.identityVerification).toMatchObject({ similarity: 'NO_MATCH', validity: true });
    });

    it('no face on the selfie → NOT_POSSIBLE, not valid, NO_FACE_PRESENT', async () => {
      const outcome = await identity({ selfieFaces: 0, documentFaces: 1 });
      expect(outcome?.identityVerification).toEqual({
        similarity: 'NOT_POSSIBLE',
        validity: false,
        reason: 'NO_FACE_PRESENT',
      });
    });

    it('an ID-only workflow compares no faces', async () => {
      await submitted({ country: 'AUT', idType: 'PASSPORT' }, { front: 'passport' });
      mrz.answers.set('passport', mrzReading());
      await verifyTransaction(deps, REF);
      expect(faces.calls).toBe(0);
      expect(stored()?.outcome?.identityVerification).toBeUndefined();
    });
  });

  describe('North-American licences (PDF417)', () => {
    const licence = (overrides: Partial<AamvaData> = {}): AamvaData => ({
      subfile: 'DL',
      iin: '636014',
      version: 10,
      documentNumber: 'D1234567',
      lastName: 'SAMPLE',
      firstName: 'ALEX',
      birthDate: '1990-01-31',
      expirationDate: '2030-01-31',
      sex: 'F',
      state: 'CA',
      country: 'USA',
      elements: {},
      ...overrides,
    });

    beforeEach(() => barcodes.clear());

    it('a decoded barcode without an MRZ → APPROVED_VERIFIED from its fields, MRZ check not available', async () => {
      await submitted({ country: 'USA', idType: 'DRIVING_LICENSE' }, { front: 'dl-front', back: 'dl-back' });
      barcodes.set('dl-back', licence());
      await verifyTransaction(deps, REF);
      expect(stored()?.outcome).toMatchObject({
        verificationStatus: 'APPROVED_VERIFIED',
        idType: 'DRIVING_LICENSE',
        idCountry: 'USA',
        idUsState: 'CA',
        idNumber: 'D1234567',
        idDob: '1990-01-31',
        mrzCheck: 'NOT_AVAILABLE',
      });
    });

    it('an MRZ and a barcode that disagree on the number → DENIED_FRAUD, 1002 DOCUMENT_NUMBER', async () => {
      await submitted({ country: 'AUT', idType: 'ID_CARD' }, { front: 'card-front', back: 'card-back' });
      mrz.answers.set('card-back', mrzReading());
      barcodes.set('card-back', licence({ documentNumber: 'X0000000', birthDate: '1980-01-01' }));
      await verifyTransaction(deps, REF);
      expect(stored()?.outcome).toMatchObject({
        verificationStatus: 'DENIED_FRAUD',
        rejectReason: { rejectReasonCode: '100', rejectReasonDetails: [{ detailsCode: '1002' }] },
      });
    });

    it('an expired licence → DENIED_FRAUD 1003', async () => {
      await submitted({ country: 'USA', idType: 'DRIVING_LICENSE' }, { front: 'dl-front', back: 'dl-back' });
      barcodes.set('dl-back', licence({ expirationDate: '2018-07-02' }));
      await verifyTransaction(deps, REF);
      expect(stored()?.outcome).toMatchObject({
        verificationStatus: 'DENIED_FRAUD',
        rejectReason: { rejectReasonDetails: [{ detailsCode: '1003' }] },
      });
    });
  });
});
