import { describe, expect, it } from 'vitest';
import { DataFields, DEFAULT_DATA_FIELDS, type VerificationOutcome } from '#domain/callback';
import {
  documentData,
  imagesOf,
  scanDetails,
  scanStatusResponse,
  transactionData,
  verificationData,
} from '#domain/retrieval';
import type { Transaction } from '#domain/transaction';
import { transactionFixture } from './transaction-fixtures.ts';

/** The retrieval API's answers, in the shapes of Netverify's retrieval guide. */

const REF = 'a1b2c3d4-0000-4000-8000-000000000001';
const NOW = '2018-07-03T09:00:00.000Z';

const outcome: VerificationOutcome = {
  verificationStatus: 'APPROVED_VERIFIED',
  idType: 'ID_CARD',
  idSubtype: 'NATIONAL_ID',
  idCountry: 'DEU',
  idNumber: 'L01X00T47',
  idFirstName: 'ERIKA',
  idLastName: 'MUSTERMANN',
  idDob: '1964-08-12',
  idExpiry: '2031-10-31',
  idUsState: 'CA',
  personalNumber: '1234',
  optionalData1: 'OPT1',
  optionalData2: 'OPT2',
  mrzCheck: 'OK',
  faceMatch: 93,
  identityVerification: { similarity: 'MATCH', validity: true },
};

const capture = (side: string) => ({
  key: `tx/${REF}/${side}/00000000-0000-4000-8000-000000000001`,
  contentType: 'image/jpeg' as const,
  source: 'camera' as const,
  acceptedAt: '2018-07-03T08:10:00.000Z',
});

const done = (overrides: Partial<Transaction> = {}): Transaction =>
  transactionFixture({
    reference: REF,
    state: 'DONE',
    createdAt: '2018-07-03T08:00:00.000Z',
    customerInternalReference: 'order-42',
    userReference: 'user-7',
    reportingCriteria: 'campaign-3',
    startedAt: '2018-07-03T08:05:00.000Z',
    document: { country: 'DEU', idType: 'ID_CARD' },
    source: 'WEB_CAM',
    clientIp: '203.0.113.9',
    outcome,
    captures: { back: capture('back'), front: capture('front') },
    ...overrides,
  });

const fields = (settings: Record<string, boolean>) => DataFields.parse(settings);

describe('scan status', () => {
  it.each([
    ['INITIATED', 'PENDING'],
    ['STARTED', 'PENDING'],
    ['SUBMITTED', 'PENDING'],
    ['PROCESSING', 'PENDING'],
    ['DONE', 'DONE'],
    ['FAILED', 'FAILED'],
  ] as const)('%s → %s', (state, status) => {
    expect(scanStatusResponse(done({ state }), NOW)).toEqual({ timestamp: NOW, scanReference: REF, status });
  });
});

describe('scan details', () => {
  it('the guide’s three parts, each without its own timestamp and reference', () => {
    expect(scanDetails(done(), DEFAULT_DATA_FIELDS, NOW)).toEqual({
      timestamp: NOW,
      scanReference: REF,
      document: {
        status: 'APPROVED_VERIFIED',
        type: 'ID_CARD',
        idSubtype: 'NATIONAL_ID',
        issuingCountry: 'DEU',
        firstName: 'ERIKA',
        lastName: 'MUSTERMANN',
        dob: '1964-08-12',
        expiry: '2031-10-31',
        number: 'L01X00T47',
        usState: 'CA',
        personalNumber: '1234',
        optionalData1: 'OPT1',
        optionalData2: 'OPT2',
      },
      transaction: {
        status: 'DONE',
        source: 'WEB_CAM',
        date: '2018-07-03T08:00:00.000Z',
        clientIp: '203.0.113.9',
        customerId: 'user-7',
        merchantScanReference: 'order-42',
        merchantReportingCriteria: 'campaign-3',
      },
      verification: {
        mrzCheck: 'OK',
        faceMatch: '93',
        identityVerification: { similarity: 'MATCH', validity: 'TRUE' },
      },
    });
  });

  it('a pending transaction: an empty document, no verification part', () => {
    const pending = done({ state: 'SUBMITTED', outcome: undefined });
    expect(scanDetails(pending, DEFAULT_DATA_FIELDS, NOW)).toEqual({
      timestamp: NOW,
      scanReference: REF,
      document: {},
      transaction: expect.objectContaining({ status: 'PENDING', source: 'WEB_CAM' }),
    });
  });

  it('a rejected transaction carries its reject reason as the guide’s object', () => {
    const rejectReason = {
      rejectReasonCode: '200',
      rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
      rejectReasonDetails: [{ detailsCode: '2001', detailsDescription: 'BLURRED' }],
    };
    const failed = done({
      state: 'FAILED',
      outcome: { verificationStatus: 'ERROR_NOT_READABLE_ID', mrzCheck: 'NOT_AVAILABLE', rejectReason },
    });
    expect(verificationData(failed, DEFAULT_DATA_FIELDS)).toEqual({
      mrzCheck: 'NOT_AVAILABLE',
      rejectReason,
    });
    expect(documentData(failed, DEFAULT_DATA_FIELDS)).toEqual({ status: 'ERROR_NOT_READABLE_ID' });
  });

  it('identity verification: validity as "TRUE"/"FALSE", a reason only when not valid', () => {
    const invalid = done({
      outcome: {
        ...outcome,
        identityVerification: { similarity: 'NOT_POSSIBLE', validity: false, reason: 'MULTIPLE_PEOPLE' },
      },
    });
    expect(verificationData(invalid, DEFAULT_DATA_FIELDS).identityVerification).toEqual({
      similarity: 'NOT_POSSIBLE',
      validity: 'FALSE',
      reason: 'MULTIPLE_PEOPLE',
    });
  });

  it('a transaction that never reached submission has no source, and no empty values', () => {
    const abandoned = done({
      state: 'FAILED',
      document: undefined,
      source: undefined,
      clientIp: undefined,
      reportingCriteria: undefined,
      outcome: { verificationStatus: 'NO_ID_UPLOADED' },
    });
    expect(transactionData(abandoned)).toEqual({
      status: 'FAILED',
      date: '2018-07-03T08:00:00.000Z',
      customerId: 'user-7',
      merchantScanReference: 'order-42',
    });
    expect(documentData(abandoned, DEFAULT_DATA_FIELDS)).toEqual({ status: 'NO_ID_UPLOADED' });
    expect(verificationData(abandoned, DEFAULT_DATA_FIELDS)).toEqual({ mrzCheck: 'NOT_AVAILABLE' });
  });
});

describe('the customer’s data settings', () => {
  it('each switch removes its field', () => {
    const off = fields({
      idNumber: false,
      firstName: false,
      lastName: false,
      dateOfBirth: false,
      expiryDate: false,
      usState: false,
      personalNumber: false,
      mrzCheck: false,
    });
    expect(documentData(done(), off)).toEqual({
      status: 'APPROVED_VERIFIED',
      type: 'ID_CARD',
      idSubtype: 'NATIONAL_ID',
      issuingCountry: 'DEU',
      optionalData1: 'OPT1',
      optionalData2: 'OPT2',
    });
    expect(verificationData(done(), off)).not.toHaveProperty('mrzCheck');
  });

  it('the MRZ check brings date of birth, expiry and personal number back, as in callbacks', () => {
    const mrzOnly = fields({ dateOfBirth: false, expiryDate: false, personalNumber: false, mrzCheck: true });
    expect(documentData(done(), mrzOnly)).toMatchObject({
      dob: '1964-08-12',
      expiry: '2031-10-31',
      personalNumber: '1234',
    });
  });

  it.each([
    ['idNumber', 'number'],
    ['firstName', 'firstName'],
    ['lastName', 'lastName'],
    ['usState', 'usState'],
  ])('%s off → no %s, the rest kept', (setting, field) => {
    const data = documentData(done(), fields({ [setting]: false }));
    expect(data).not.toHaveProperty(field);
    expect(Object.keys(data)).toHaveLength(Object.keys(documentData(done(), DEFAULT_DATA_FIELDS)).length - 1);
  });
});

describe('images', () => {
  it('in the guide’s order, only the sides stored', () => {
    expect(imagesOf(done())).toEqual(['front', 'back']);
    expect(imagesOf(done({ captures: { face: capture('face'), front: capture('front') } }))).toEqual([
      'front',
      'face',
    ]);
    expect(imagesOf(done({ captures: undefined }))).toEqual([]);
  });
});
