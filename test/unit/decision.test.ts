import { describe, expect, it } from 'vitest';
import { countryOfMrz, type DecisionInput, decide, idTypeOfDocumentCode } from '#domain/decision';
import { mrzReading as reading } from './transaction-fixtures.ts';

/** The verdict from what the worker read: every branch of `decide`. */

const TODAY = '2026-11-22';

const input = (overrides: Partial<DecisionInput> = {}): DecisionInput => ({
  chosen: { country: 'AUT', idType: 'PASSPORT' },
  preset: {},
  mrz: reading(),
  today: TODAY,
  ...overrides,
});

const BAD_QUALITY = {
  rejectReasonCode: '200',
  rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
  rejectReasonDetails: [{ detailsCode: '2002', detailsDescription: 'BAD_QUALITY' }],
};

describe('decide', () => {
  it('no MRZ found → ERROR_NOT_READABLE_ID, the MRZ check not available, the chosen document', () => {
    expect(decide(input({ chosen: { country: 'DEU', idType: 'ID_CARD' }, mrz: undefined }))).toEqual({
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      idType: 'ID_CARD',
      idCountry: 'DEU',
      mrzCheck: 'NOT_AVAILABLE',
      rejectReason: BAD_QUALITY,
    });
  });

  it('an MRZ whose checks fail → ERROR_NOT_READABLE_ID (not fraud), nothing read reported', () => {
    const outcome = decide(input({ mrz: reading({ documentNumber: 'X9999999' }, false) }));
    expect(outcome).toEqual({
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      idType: 'PASSPORT',
      idCountry: 'AUT',
      mrzCheck: 'NOT_OK',
      rejectReason: BAD_QUALITY,
    });
  });

  it('a valid MRZ → APPROVED_VERIFIED with every field read', () => {
    expect(
      decide(
        input({
          mrz: reading({ personalNumber: '1234567890', optionalData1: 'OPT1', optionalData2: 'OPT2' }),
        }),
      ),
    ).toEqual({
      verificationStatus: 'APPROVED_VERIFIED',
      idType: 'PASSPORT',
      idCountry: 'AUT',
      idNumber: 'P1234567',
      idFirstName: 'ANNA MARIA',
      idLastName: 'MUSTER',
      idDob: '1990-01-31',
      idExpiry: '2030-12-31',
      personalNumber: '1234567890',
      optionalData1: 'OPT1',
      optionalData2: 'OPT2',
      gender: 'F',
      nationality: 'AUT',
      mrzCheck: 'OK',
    });
  });

  it('reports what the MRZ says over what the user chose, and leaves out what it lacks', () => {
    const outcome = decide(
      input({
        chosen: { country: 'AUT', idType: 'PASSPORT' },
        mrz: reading({
          documentCode: 'ID',
          issuingState: 'D',
          nationality: 'D',
          sex: 'X',
          birthDate: undefined,
          expirationDate: undefined,
        }),
      }),
    );
    expect(outcome).toMatchObject({
      verificationStatus: 'APPROVED_VERIFIED',
      idType: 'ID_CARD',
      idCountry: 'DEU',
      nationality: 'DEU',
    });
    expect(outcome).not.toHaveProperty('gender');
    expect(outcome).not.toHaveProperty('idDob');
    expect(outcome).not.toHaveProperty('idExpiry');
  });

  it('a document of another type than the preset’s → DENIED_UNSUPPORTED_ID_TYPE', () => {
    const outcome = decide(input({ preset: { idType: 'ID_CARD', country: 'AUT' } }));
    expect(outcome).toMatchObject({
      verificationStatus: 'DENIED_UNSUPPORTED_ID_TYPE',
      idType: 'PASSPORT',
      mrzCheck: 'OK',
    });
    expect(outcome).not.toHaveProperty('rejectReason');
  });

  it('a document of another country than the preset’s → DENIED_UNSUPPORTED_ID_COUNTRY', () => {
    const outcome = decide(input({ preset: { idType: 'PASSPORT', country: 'DEU' } }));
    expect(outcome).toMatchObject({ verificationStatus: 'DENIED_UNSUPPORTED_ID_COUNTRY', idCountry: 'AUT' });
  });

  it('Germany’s D<< matches a DEU preset', () => {
    const outcome = decide(
      input({ preset: { country: 'DEU', idType: 'PASSPORT' }, mrz: reading({ issuingState: 'D<<' }) }),
    );
    expect(outcome).toMatchObject({ verificationStatus: 'APPROVED_VERIFIED', idCountry: 'DEU' });
  });

  it('a document that expired before today → DENIED_FRAUD, 100 MANIPULATED_DOCUMENT, 1003 EXPIRY', () => {
    expect(decide(input({ mrz: reading({ expirationDate: '2026-11-21' }) }))).toMatchObject({
      verificationStatus: 'DENIED_FRAUD',
      idExpiry: '2026-11-21',
      rejectReason: {
        rejectReasonCode: '100',
        rejectReasonDescription: 'MANIPULATED_DOCUMENT',
        rejectReasonDetails: [{ detailsCode: '1003', detailsDescription: 'EXPIRY' }],
      },
    });
  });

  it('a document that expires today is still valid today', () => {
    expect(decide(input({ mrz: reading({ expirationDate: TODAY }) })).verificationStatus).toBe(
      'APPROVED_VERIFIED',
    );
  });

  it('the preset is checked before the expiry', () => {
    const outcome = decide(
      input({ preset: { idType: 'ID_CARD' }, mrz: reading({ expirationDate: '2001-01-01' }) }),
    );
    expect(outcome.verificationStatus).toBe('DENIED_UNSUPPORTED_ID_TYPE');
  });
});

describe('idTypeOfDocumentCode', () => {
  it.each([
    ['P', 'PASSPORT'],
    ['PD', 'PASSPORT'],
    ['V', 'VISA'],
    ['I', 'ID_CARD'],
    ['ID', 'ID_CARD'],
    ['A', 'ID_CARD'],
    ['C', 'ID_CARD'],
    ['D', 'DRIVING_LICENSE'],
    ['X', undefined],
    ['', undefined],
  ])('%j → %s', (code, type) => {
    expect(idTypeOfDocumentCode(code)).toBe(type);
  });

  it('an unknown code falls back to the chosen type', () => {
    expect(
      decide(
        input({ chosen: { country: 'AUT', idType: 'DRIVING_LICENSE' }, mrz: reading({ documentCode: 'X' }) }),
      ).idType,
    ).toBe('DRIVING_LICENSE');
  });
});

describe('countryOfMrz', () => {
  it.each([
    ['D<<', 'DEU'],
    ['D', 'DEU'],
    ['AUT', 'AUT'],
    ['UT<', 'UT'],
  ])('%j → %s', (code, country) => {
    expect(countryOfMrz(code)).toBe(country);
  });
});
