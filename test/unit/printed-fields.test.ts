import { describe, expect, it } from 'vitest';
import { type DecisionInput, decide } from '#domain/decision';
import {
  anotherPassMayConfirm,
  confirmPrinted,
  type PrintedFields,
  type PrintedReading,
  parseLicenceNumber,
  parseLicenceText,
  parsePrintedDate,
  parsePrintedName,
} from '#domain/printed-fields';
import { mrzReading } from './transaction-fixtures.ts';

/** The printed fields of a licence front from OCR text, the confirmation rule, and the verdict. */

const TODAY = '2026-11-01';

/** What tesseract's LSTM engine gave on a clean synthetic licence (test/support/synthetic-documents.ts). */
const CLEAN = `DRIVING LICENCE

SVERIGE
1. DE JONG
— 2. CLAIRE

o o 3. 23.07.1989 BERLIN

~~ 4a. 12.07.2022 4c. TRANSPORTSTYRELSEN
4b. 11.07.2037
5. A7E260M5X58
7. —~—X

—~—"\\ 9. AM/A/B/C1/C/L
`;

const CLEAN_FIELDS: PrintedFields = {
  country: 'SWE',
  lastName: 'DE JONG',
  firstName: 'CLAIRE',
  birthDate: '1989-07-23',
  placeOfBirth: 'BERLIN',
  issueDate: '2022-07-12',
  expirationDate: '2037-07-11',
  issuingAuthority: 'TRANSPORTSTYRELSEN',
  documentNumber: 'A7E260M5X58',
  categories: 'AM/A/B/C1/C/L',
};

describe('parsePrintedDate', () => {
  it.each([
    ['23.07.1989', '1989-07-23'],
    ['01/02/2030', '2030-02-01'],
    ['29-02-2024', '2024-02-29'],
  ])('%s → %s', (text, iso) => {
    expect(parsePrintedDate(text)).toBe(iso);
  });

  it.each([
    '29.02.2023', // not a leap year
    '31.04.2030',
    '00.01.2030',
    '12.13.2030',
    '12.07.22', // two-digit year: the century is a guess
    '12.07-2022', // mixed separators
    '12.O7.2022', // a letter O for a zero is not repaired
    '1989-07-23',
    '12.07.1850',
    '',
  ])('refuses %j', (text) => {
    expect(parsePrintedDate(text)).toBeUndefined();
  });
});

describe('names and numbers', () => {
  it('names: upper-case letters, spaces, hyphens, apostrophes', () => {
    expect(parsePrintedName('  DE   JONG ')).toBe('DE JONG');
    expect(parsePrintedName("O'NEILL-SMITH")).toBe("O'NEILL-SMITH");
    for (const bad of ['De Jong', 'SMITH2', 'SMITH ~', 'J', '-SMITH', `${'A'.repeat(41)}`]) {
      expect(parsePrintedName(bad), bad).toBeUndefined();
    }
  });

  it('licence numbers: letters OCR confuses with digits are not vouched for (N0NM read as NONM)', () => {
    for (const ambiguous of [
      'NONM311M13',
      'B072RRE2I55',
      'A7S260M5X58',
      'Z1234567',
      'G1234567',
      'DQ123456',
    ]) {
      expect(parseLicenceNumber(ambiguous), ambiguous).toBeUndefined();
    }
    expect(parseLicenceNumber('N0NM311M13')).toBe('N0NM311M13');
  });

  it('licence numbers: 5–16 letters and digits, at least one digit, nothing else', () => {
    expect(parseLicenceNumber('A7E260M5X58')).toBe('A7E260M5X58');
    for (const bad of ['V8V]634F65M', 'ABCDEFGH', 'A7E2', 'A7E 260M5X58', 'a7e260m5x58', 'AM/A/B']) {
      expect(parseLicenceNumber(bad), bad).toBeUndefined();
    }
  });
});

describe('parseLicenceText', () => {
  it('reads every numbered field of a clean front, junk before the labels left behind', () => {
    expect(parseLicenceText(CLEAN)).toEqual(CLEAN_FIELDS);
  });

  it('takes the small labels as OCR misreads them (s. for 5., ap. for 4b.)', () => {
    const text = CLEAN.replace('4b. 11.07.2037', 'ap. 11.07.2037').replace('5. A7E', 's. A7E');
    expect(parseLicenceText(text)).toEqual(CLEAN_FIELDS);
  });

  it('drops a value with junk on its line rather than repairing it', () => {
    const text = CLEAN.replace('5. A7E260M5X58', '5. V8V]634F65M').replace('1. DE JONG', '1. DE JONG ~');
    const fields = parseLicenceText(text);
    expect(fields?.documentNumber).toBeUndefined();
    expect(fields?.lastName).toBeUndefined();
    expect(fields?.firstName).toBe('CLAIRE');
  });

  it('a label read twice with two different valid values is ambiguous: neither is taken', () => {
    const fields = parseLicenceText(`${CLEAN}\n5. A123456789\n`);
    expect(fields?.documentNumber).toBeUndefined();
  });

  it('a second occurrence that does not parse (9. read as 5.) does not hide the first', () => {
    const fields = parseLicenceText(CLEAN.replace('9. AM/A/B', '5. AM/A/B'));
    expect(fields?.documentNumber).toBe('A7E260M5X58');
  });

  it('partial text: the fields found, no others', () => {
    const fields = parseLicenceText('DRIVING LICENCE\n1. MUSTERMANN\n4b. 31.12.2031\n');
    expect(fields).toEqual({ lastName: 'MUSTERMANN', expirationDate: '2031-12-31' });
  });

  it('the issuing state only when one state is named', () => {
    expect(parseLicenceText(CLEAN.replace('SVERIGE', 'REPUBLIK OESTERREICH'))?.country).toBe('AUT');
    expect(parseLicenceText(CLEAN.replace('SVERIGE', 'SVERIGE POLSKA'))?.country).toBeUndefined();
    expect(parseLicenceText(CLEAN.replace('SVERIGE', 'SVERIGF'))?.country).toBeUndefined();
  });

  it('no licence in junk, a passport page or an empty text', () => {
    expect(parseLicenceText('')).toBeUndefined();
    expect(parseLicenceText('~~ —\n@@ 0o0 ||| \n')).toBeUndefined();
    expect(
      parseLicenceText('PASSPORT\nSurname\nMUSTER\nP<AUTMUSTER<<ERIKA<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n'),
    ).toBeUndefined();
  });

  it('three numbered fields are a licence without its title', () => {
    expect(parseLicenceText('1. MUSTERMANN\n2. ERIKA\n5. K072RRE2155\n')).toEqual({
      lastName: 'MUSTERMANN',
      firstName: 'ERIKA',
      documentNumber: 'K072RRE2155',
    });
  });
});

const reading = (...passes: PrintedFields[]): PrintedReading => ({ layout: 'EU_DRIVING_LICENCE', passes });

describe('confirmPrinted', () => {
  it('two passes that agree on every field, dates in order → confirmed', () => {
    expect(confirmPrinted(reading(CLEAN_FIELDS, { ...CLEAN_FIELDS }), TODAY)).toEqual({
      confirmed: true,
      fields: {
        country: 'SWE',
        lastName: 'DE JONG',
        firstName: 'CLAIRE',
        birthDate: '1989-07-23',
        issueDate: '2022-07-12',
        expirationDate: '2037-07-11',
        documentNumber: 'A7E260M5X58',
      },
    });
  });

  it('fields outside the confirmed set may differ (place, authority, categories)', () => {
    const other = { ...CLEAN_FIELDS, issuingAuthority: 'TRANSPORTSTYRELSFN', categories: 'AM/B' };
    expect(confirmPrinted(reading(CLEAN_FIELDS, other), TODAY).confirmed).toBe(true);
  });

  it('one pass alone confirms nothing', () => {
    expect(confirmPrinted(reading(CLEAN_FIELDS), TODAY)).toMatchObject({
      confirmed: false,
      why: 'SINGLE_READING',
    });
  });

  it('a field one pass lacks → MISSING', () => {
    const { documentNumber: _, ...without } = CLEAN_FIELDS;
    expect(confirmPrinted(reading(CLEAN_FIELDS, without), TODAY)).toEqual({
      confirmed: false,
      why: 'MISSING',
      fields: ['documentNumber'],
    });
  });

  it('a third pass: a value two passes read and none read otherwise counts; a dropped one neither confirms nor vetoes', () => {
    const { documentNumber: _, ...without } = CLEAN_FIELDS;
    expect(confirmPrinted(reading(CLEAN_FIELDS, without, { ...CLEAN_FIELDS }), TODAY).confirmed).toBe(true);
    expect(anotherPassMayConfirm([CLEAN_FIELDS, without])).toBe(true);
    expect(anotherPassMayConfirm([CLEAN_FIELDS, { ...CLEAN_FIELDS }])).toBe(false);
  });

  it('a third pass that reads a value otherwise vetoes it, however many agree', () => {
    const other = { ...CLEAN_FIELDS, birthDate: '1989-07-28' };
    expect(confirmPrinted(reading(CLEAN_FIELDS, { ...CLEAN_FIELDS }, other), TODAY)).toEqual({
      confirmed: false,
      why: 'DISAGREE',
      fields: ['birthDate'],
    });
    expect(anotherPassMayConfirm([CLEAN_FIELDS, other])).toBe(false);
  });

  it('a disagreement, even in one character or one space → DISAGREE', () => {
    const other = { ...CLEAN_FIELDS, lastName: 'DEJONG', documentNumber: 'A7E260M5X5B' };
    expect(confirmPrinted(reading(CLEAN_FIELDS, other), TODAY)).toEqual({
      confirmed: false,
      why: 'DISAGREE',
      fields: ['lastName', 'documentNumber'],
    });
  });

  it.each([
    ['issued before birth', { issueDate: '1988-01-01' }],
    ['issued at 12', { issueDate: '2001-08-01' }],
    ['expiry before issue', { expirationDate: '2021-07-12' }],
    ['issued after today', { issueDate: '2026-11-02' }],
    ['born 130 years ago', { birthDate: '1896-01-01' }],
  ])('dates out of order (%s) → DATES', (_name, change) => {
    const fields = { ...CLEAN_FIELDS, ...change };
    expect(confirmPrinted(reading(fields, { ...fields }), TODAY)).toMatchObject({
      confirmed: false,
      why: 'DATES',
    });
  });
});

describe('decide on a printed-only reading', () => {
  const input = (overrides: Partial<DecisionInput> = {}): DecisionInput => ({
    chosen: { country: 'SWE', idType: 'DRIVING_LICENSE' },
    preset: {},
    mrz: undefined,
    printed: reading(CLEAN_FIELDS, { ...CLEAN_FIELDS }),
    today: TODAY,
    ...overrides,
  });
  const NOT_READABLE = {
    verificationStatus: 'ERROR_NOT_READABLE_ID',
    idType: 'DRIVING_LICENSE',
    idCountry: 'SWE',
    mrzCheck: 'NOT_AVAILABLE',
    rejectReason: {
      rejectReasonCode: '200',
      rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
      rejectReasonDetails: [{ detailsCode: '2002', detailsDescription: 'BAD_QUALITY' }],
    },
  };

  it('confirmed → APPROVED_VERIFIED with the confirmed fields, no MRZ check', () => {
    expect(decide(input())).toEqual({
      verificationStatus: 'APPROVED_VERIFIED',
      idType: 'DRIVING_LICENSE',
      idCountry: 'SWE',
      idNumber: 'A7E260M5X58',
      idFirstName: 'CLAIRE',
      idLastName: 'DE JONG',
      idDob: '1989-07-23',
      idExpiry: '2037-07-11',
      mrzCheck: 'NOT_AVAILABLE',
    });
  });

  it('the passes disagree on the licence number → not APPROVED: not readable, nothing read reported', () => {
    const other = { ...CLEAN_FIELDS, documentNumber: 'A7E26OM5X58' };
    const outcome = decide(input({ printed: reading(CLEAN_FIELDS, other) }));
    expect(outcome.verificationStatus).not.toBe('APPROVED_VERIFIED');
    expect(outcome).toEqual(NOT_READABLE);
  });

  it('a single pass, however clean → not readable', () => {
    expect(decide(input({ printed: reading(CLEAN_FIELDS) }))).toEqual(NOT_READABLE);
  });

  it('dates out of order (a misread far likelier than a forgery) → not readable, not fraud', () => {
    const fields = { ...CLEAN_FIELDS, expirationDate: '2017-07-11' };
    expect(decide(input({ printed: reading(fields, { ...fields }) }))).toEqual(NOT_READABLE);
  });

  it('confirmed but expired → DENIED_FRAUD 1003 EXPIRY, as an expired MRZ document', () => {
    const fields = { ...CLEAN_FIELDS, issueDate: '2011-07-12', expirationDate: '2026-10-31' };
    expect(decide(input({ printed: reading(fields, { ...fields }) }))).toMatchObject({
      verificationStatus: 'DENIED_FRAUD',
      idExpiry: '2026-10-31',
      rejectReason: { rejectReasonCode: '100', rejectReasonDetails: [{ detailsCode: '1003' }] },
    });
  });

  it('the document as read: a preset for another country refuses it', () => {
    expect(decide(input({ preset: { country: 'DEU' } })).verificationStatus).toBe(
      'DENIED_UNSUPPORTED_ID_COUNTRY',
    );
    expect(decide(input({ accepted: (country) => country === 'DEU' })).verificationStatus).toBe(
      'DENIED_UNSUPPORTED_ID_COUNTRY',
    );
  });

  it('an MRZ, even one failing its checks, decides instead of the printed fields', () => {
    const failing = decide(input({ mrz: mrzReading({}, false) }));
    expect(failing).toMatchObject({ verificationStatus: 'ERROR_NOT_READABLE_ID', mrzCheck: 'NOT_OK' });
    expect(decide(input({ mrz: mrzReading() }))).toMatchObject({ mrzCheck: 'OK' });
  });
});
