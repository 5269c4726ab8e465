import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AamvaPayloadFields, aamvaDate, composeAamva, parseAamva } from '#domain/aamva';

/** A version 10 payload laid out as the standard's own example is (two subfiles, a Z subfile last). */
const VIRGINIA_V10 =
  '@\n\x1e\rANSI 636000100002DL00410278ZV03190008' +
  'DLDAQT64235789\nDCSSAMPLE\nDDEN\nDACMICHAEL\nDDFN\nDADJOHN\nDDGN\nDCUJR\nDCAD\nDCBK\nDCDPH\n' +
  'DBD06062019\nDBB06061986\nDBA12102024\nDBC1\nDAU068 in\nDAYBRO\nDAG2300 WEST BROAD STREET\n' +
  'DAIRICHMOND\nDAJVA\nDAK232690000  \nDCF2424244747474786102204\nDCGUSA\nDCK123456789\nDDAF\n' +
  'DDB06062018\nDDC06062020\nDDD1\r' +
  'ZVZVA01\r';

const FIELDS: AamvaPayloadFields = {
  iin: '636014',
  version: 10,
  documentNumber: 'D1234567',
  lastName: 'GARCIA LOPEZ',
  firstName: 'ANNA MARIA',
  middleName: 'LEE',
  birthDate: '1984-02-29',
  expirationDate: '2031-07-15',
  issueDate: '2023-07-15',
  sex: 'F',
  state: 'CA',
  country: 'USA',
  street: '100 MAIN STREET',
  city: 'SACRAMENTO',
  postalCode: '958140000',
};

describe('parseAamva', () => {
  it('reads a version 10 licence field by field (US dates MMDDCCYY, ZIP+4 padded with zeros)', () => {
    const data = parseAamva(VIRGINIA_V10);
    expect(data).toMatchObject({
      subfile: 'DL',
      iin: '636000',
      version: 10,
      documentNumber: 'T64235789',
      lastName: 'SAMPLE',
      firstName: 'MICHAEL',
      middleName: 'JOHN',
      birthDate: '1986-06-06',
      expirationDate: '2024-12-10',
      issueDate: '2019-06-06',
      sex: 'M',
      state: 'VA',
      country: 'USA',
      address: { street: '2300 WEST BROAD STREET', city: 'RICHMOND', state: 'VA', postalCode: '23269' },
    });
    expect(data?.namesTruncated).toBeUndefined();
    expect(data?.elements.DCF).toBe('2424244747474786102204');
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    'reads what it composes for version %i, in the US and Canada',
    (version) => {
      for (const country of ['USA', 'CAN'] as const) {
        const fields = {
          ...FIELDS,
          version,
          country,
          ...(country === 'CAN' ? { state: 'ON', postalCode: 'M5V2T6', iin: '636012' } : {}),
        };
        const data = parseAamva(composeAamva(fields));
        expect(data, `version ${version} ${country}`).toMatchObject({
          version,
          documentNumber: 'D1234567',
          lastName: 'GARCIA LOPEZ',
          birthDate: '1984-02-29',
          expirationDate: '2031-07-15',
          issueDate: '2023-07-15',
          sex: 'F',
          country,
          address: { postalCode: country === 'CAN' ? 'M5V 2T6' : '95814' },
        });
        // Versions 2 and 3 carry the given names in one element, DCT, split at its commas.
        expect(data).toMatchObject({ firstName: 'ANNA MARIA', middleName: 'LEE' });
      }
    },
  );

  it('reads an ID card subfile, and sex 9 as not specified', () => {
    const data = parseAamva(composeAamva({ ...FIELDS, subfile: 'ID', sex: 'X' }));
    expect(data).toMatchObject({ subfile: 'ID', sex: 'X' });
  });

  it('finds the subfile when the offset misses, the separators differ or the header is prefixed', () => {
    const good = composeAamva(FIELDS);
    const wrongOffset = good.replace(/DL(\d{4})(\d{4})DL/, 'DL0099$2DL');
    const fileSeparator = good.replace('@\n\x1e\r', '@\n\x1c\r');
    const prefixed = `]L0${good}`;
    const extraCarriageReturn = good.replace('\n', '\r\n');
    for (const text of [wrongOffset, fileSeparator, prefixed, extraCarriageReturn]) {
      expect(parseAamva(text)?.documentNumber, JSON.stringify(text.slice(0, 40))).toBe('D1234567');
    }
  });

  it('reads a version 1 payload that has only the whole name (DAA) and an AAMVA file type', () => {
    const text =
      '@\n\x1e\rAAMVA6360050101DL00290139DLDAQ12345678\nDAASMITH,JOHN,Q\nDAGMAIN ST 1\nDAIATLANTA\nDAJGA\n' +
      'DAK30301\nDBA20300101\nDBB19700215\nDBCM\nDBD20220101\r';
    expect(parseAamva(text)).toMatchObject({
      version: 1,
      lastName: 'SMITH',
      firstName: 'JOHN',
      middleName: 'Q',
      birthDate: '1970-02-15',
      expirationDate: '2030-01-01',
      sex: 'M',
      country: 'USA',
    });
  });

  it('marks truncated names', () => {
    const text = composeAamva(FIELDS).replace('DDEN', 'DDET');
    expect(parseAamva(text)?.namesTruncated).toBe(true);
  });

  it('fails clearly (undefined) for text that is not an AAMVA DL/ID payload', () => {
    const notAamva = [
      '',
      'hello world',
      'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10',
      'https://example.com/@ANSI 636014',
      '@\n\x1e\rANSI 63601410', // a header and nothing else
      '@\n\x1e\rANSI 636014100001DL00310020DLDCSSMITH\r', // no licence number
      composeAamva(FIELDS).replace(/DBB\d+/, 'DBB13452000'), // no calendar date of birth
    ];
    for (const text of notAamva) expect(parseAamva(text), JSON.stringify(text)).toBeUndefined();
  });

  it('never throws, whatever the text', () => {
    // Any UTF-16 code units, lone surrogates included (fast-check's 'binary' unit costs ~0.7 s to set up).
    const codeUnits = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 })
      .map((codes) => String.fromCharCode(...codes));
    const anyText = fc.oneof(
      codeUnits,
      fc
        .tuple(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary-ascii', maxLength: 200 }))
        .map(([head, tail]) => `@\n\x1e\rANSI 636014100001${head}DLDAQ${tail}`),
    );
    fc.assert(
      fc.property(anyText, (text) => parseAamva(text) === undefined || typeof parseAamva(text) === 'object'),
    );
  });

  it('reads back any composed payload exactly', () => {
    const name = fc.stringMatching(/^[A-Z][A-Z '-]{0,20}[A-Z]$/);
    const day = fc
      .date({
        min: new Date('1920-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        fc.record({
          version: fc.integer({ min: 1, max: 10 }),
          documentNumber: fc.stringMatching(/^[A-Z0-9]{4,20}$/),
          lastName: name,
          firstName: name.filter((value) => !value.includes(' ')),
          birthDate: day,
          expirationDate: day,
          sex: fc.constantFrom('M' as const, 'F' as const),
          country: fc.constantFrom('USA' as const, 'CAN' as const),
        }),
        (random) => {
          const fields = { ...FIELDS, ...random, state: random.country === 'CAN' ? 'BC' : 'TX' };
          delete fields.middleName;
          const data = parseAamva(composeAamva(fields));
          expect(data).toMatchObject({
            documentNumber: fields.documentNumber,
            lastName: fields.lastName,
            firstName: fields.firstName,
            birthDate: fields.birthDate,
            expirationDate: fields.expirationDate,
            sex: fields.sex,
            country: fields.country,
          });
        },
      ),
    );
  });
});

describe('aamvaDate', () => {
  it('tells MMDDCCYY from CCYYMMDD by the value and refuses what is no calendar date', () => {
    expect(aamvaDate('06061986')).toBe('1986-06-06');
    expect(aamvaDate('19860606')).toBe('1986-06-06');
    expect(aamvaDate('20240229')).toBe('2024-02-29');
    expect(aamvaDate('02292023')).toBeUndefined();
    expect(aamvaDate('13012000')).toBeUndefined();
    expect(aamvaDate('2024-01-01')).toBeUndefined();
    expect(aamvaDate(undefined)).toBeUndefined();
  });
});
