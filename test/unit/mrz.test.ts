import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDigit,
  cleanMrzText,
  type MrzLineFields,
  mrzChecks,
  mrzLines,
  parseMrzLines,
  readMrzText,
  repairMrz,
} from '#domain/mrz';

const REFERENCE = { referenceDate: new Date('2026-01-01T00:00:00Z') };

// ICAO 9303 part 4 and part 5 specimens.
const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const TD1 = [
  'I<UTOD231458907<<<<<<<<<<<<<<<',
  '7408122F1204159UTO<<<<<<<<<<<6',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
];
// The older TD1 specimen: a 12-character document number continued in the optional data.
const TD1_LONG_NUMBER = [
  'I<UTOD23145890<1233<<<<<<<<<<<',
  '7408122F1204159UTO<<<<<<<<<<<2',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
];

const replaceAt = (line: string, index: number, char: string) =>
  line.slice(0, index) + char + line.slice(index + 1);

describe('checkDigit', () => {
  it('computes the specimens’ check digits', () => {
    expect(checkDigit('L898902C3')).toBe('6');
    expect(checkDigit('740812')).toBe('2');
    expect(checkDigit('120415')).toBe('9');
    expect(checkDigit('ZE184226B<<<<<')).toBe('1');
    expect(checkDigit('L898902C3674081221204159ZE184226B<<<<<1')).toBe('0');
    expect(checkDigit('D23145890')).toBe('7');
    expect(checkDigit('D23145890123')).toBe('3');
  });

  it('counts < as 0', () => {
    expect(checkDigit('<<<')).toBe('0');
    expect(checkDigit('A<<')).toBe(checkDigit('A00'));
  });
});

describe('parseMrzLines', () => {
  it('reads the TD3 specimen', () => {
    expect(parseMrzLines(TD3, REFERENCE)).toEqual({
      format: 'TD3',
      lines: TD3,
      valid: true,
      repaired: false,
      fields: {
        documentCode: 'P',
        issuingState: 'UTO',
        documentNumber: 'L898902C3',
        nationality: 'UTO',
        lastName: 'ERIKSSON',
        firstName: 'ANNA MARIA',
        birthDate: '1974-08-12',
        sex: 'F',
        expirationDate: '2012-04-15',
        personalNumber: 'ZE184226B',
      },
      checks: {
        documentNumber: true,
        birthDate: true,
        expirationDate: true,
        personalNumber: true,
        composite: true,
      },
    });
  });

  it('reads the TD1 specimens, with a long document number', () => {
    const reading = parseMrzLines(TD1, REFERENCE);
    expect(reading?.valid).toBe(true);
    expect(reading?.format).toBe('TD1');
    expect(reading?.fields).toMatchObject({ documentCode: 'I', documentNumber: 'D23145890', sex: 'F' });
    const long = parseMrzLines(TD1_LONG_NUMBER, REFERENCE);
    expect(long?.valid).toBe(true);
    expect(long?.fields.documentNumber).toBe('D23145890123');
    expect(long?.fields.optionalData1).toBeUndefined();
  });

  it('puts a birth year in the latest century that is not after the reference date', () => {
    const lines = mrzLines({ ...BASE, birthDate: '2025-12-31' });
    expect(parseMrzLines(lines, REFERENCE)?.fields.birthDate).toBe('2025-12-31');
    expect(parseMrzLines(lines, { referenceDate: new Date('2025-12-30T00:00:00Z') })?.fields.birthDate).toBe(
      '1925-12-31',
    );
  });

  it('reports each failing check digit', () => {
    const lines = [TD3[0] as string, replaceAt(TD3[1] as string, 19, '3')];
    const reading = parseMrzLines(lines, REFERENCE);
    expect(reading?.valid).toBe(false);
    // The composite covers the birth date's check digit too.
    expect(reading?.checks).toMatchObject({ documentNumber: true, birthDate: false, composite: false });
  });

  it('rejects lines of no known format', () => {
    expect(parseMrzLines(['ABC', 'DEF'], REFERENCE)).toBeUndefined();
    expect(parseMrzLines([TD3[0] as string, (TD3[1] as string).slice(1)], REFERENCE)).toBeUndefined();
  });

  it('is not valid with an unknown state code, which no check digit covers', () => {
    const lines = [TD3[0] as string, replaceAt(TD3[1] as string, 10, '3')];
    expect(parseMrzLines(lines, REFERENCE)?.valid).toBe(false);
  });

  it('is not valid with a sex that is not M, F, X or <', () => {
    const lines = [TD3[0] as string, replaceAt(TD3[1] as string, 20, 'H')];
    expect(mrzChecks('TD3', lines).composite).toBe(true);
    expect(parseMrzLines(lines, REFERENCE)?.valid).toBe(false);
  });
});

describe('cleanMrzText', () => {
  it('finds the MRZ among other OCR lines and mends filler counts at line ends', () => {
    const text = `PASSPORT\nsome label 123\n${TD3[0]}<<\n ${(TD3[1] as string).slice(0, 20)} ${(TD3[1] as string).slice(20)} \n`;
    expect(cleanMrzText(text)).toEqual({ format: 'TD3', lines: TD3 });
    expect(cleanMrzText(TD1.map((line) => line.slice(0, 29)))).toEqual({
      format: 'TD1',
      lines: [TD1[0], `${(TD1[1] as string).slice(0, 29)}<`, TD1[2]],
    });
    expect(cleanMrzText('nothing to see')).toBeUndefined();
  });
});

describe('repairMrz', () => {
  it('turns letters in numeric fields into digits when every check then passes', () => {
    const read = [TD3[0] as string, 'L898902C36UTO74O8I22F12O4159ZE184226B<<<<<1O'];
    expect(repairMrz('TD3', read)).toEqual({ lines: TD3, repaired: true });
    const reading = readMrzText(read.join('\n'), REFERENCE);
    expect(reading).toMatchObject({ valid: true, repaired: true, lines: TD3 });
  });

  it('turns digits in names and state codes into letters', () => {
    const read = ['P<UT0ERIK55ON<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<', TD3[1] as string];
    expect(repairMrz('TD3', read)).toEqual({ lines: TD3, repaired: true });
  });

  it('does not keep a correction that leaves another check digit failing', () => {
    // The birth date's O is fixable, but the expiry is misread as another digit: nothing is corrected.
    const read = [TD3[0] as string, 'L898902C36UTO74O8122F1204169ZE184226B<<<<<10'];
    const { lines, repaired } = repairMrz('TD3', read);
    expect(lines).toEqual(read);
    expect(repaired).toBe(false);
    expect(readMrzText(read, REFERENCE)?.valid).toBe(false);
  });

  it('does not turn a letter into a digit where its value already passed the check', () => {
    // O counts 24 ≡ 4: 7O0812 passes the check digit of 740812 as it stands, and fails it as 700812.
    const read = [TD3[0] as string, replaceAt(TD3[1] as string, 14, 'O')];
    expect(checkDigit('7O0812')).toBe(checkDigit('740812'));
    const reading = readMrzText(read, REFERENCE);
    expect(reading?.valid).toBe(false);
    expect(reading?.checks.birthDate).toBe(false);
  });

  it('leaves the document number alone', () => {
    const read = [TD3[0] as string, replaceAt(TD3[1] as string, 4, 'O')];
    expect(repairMrz('TD3', read).lines).toEqual(read);
  });
});

const BASE: MrzLineFields = {
  format: 'TD3',
  documentCode: 'P',
  issuingState: 'UTO',
  documentNumber: 'L898902C3',
  nationality: 'UTO',
  lastName: 'ERIKSSON',
  firstName: 'ANNA MARIA',
  birthDate: '1974-08-12',
  sex: 'F',
  expirationDate: '2012-04-15',
  personalNumber: 'ZE184226B',
};

describe('mrzLines', () => {
  it('composes the specimens', () => {
    expect(mrzLines(BASE)).toEqual(TD3);
    expect(
      mrzLines({
        ...BASE,
        format: 'TD1',
        documentCode: 'I',
        documentNumber: 'D23145890',
        personalNumber: undefined,
      }),
    ).toEqual(TD1);
    expect(
      mrzLines({
        ...BASE,
        format: 'TD1',
        documentCode: 'I',
        documentNumber: 'D23145890123',
        personalNumber: undefined,
      }),
    ).toEqual(['I<UTOD23145890<1233<<<<<<<<<<<', TD1_LONG_NUMBER[1], TD1_LONG_NUMBER[2]]);
  });
});

// ── Properties ──────────────────────────────────────────────────────────────────────────────────────

const alphanumeric = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${min},${max}}$`));
const letters = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Z]{${min},${max}}$`));
const isoDate = (from: number, to: number) =>
  fc
    .date({ min: new Date(Date.UTC(from, 0, 1)), max: new Date(Date.UTC(to, 11, 31)), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10));

const fieldsArbitrary: fc.Arbitrary<MrzLineFields> = fc.record({
  format: fc.constantFrom('TD1' as const, 'TD3' as const),
  documentCode: fc.constantFrom('P', 'I', 'ID', 'AC'),
  issuingState: fc.constantFrom('UTO', 'D', 'FRA', 'GBR'),
  documentNumber: alphanumeric(1, 9),
  nationality: fc.constantFrom('UTO', 'D', 'FRA', 'GBR'),
  lastName: letters(1, 12),
  firstName: letters(1, 10),
  birthDate: isoDate(1930, 2025),
  sex: fc.constantFrom('M' as const, 'F' as const, 'X' as const),
  expirationDate: isoDate(2000, 2099),
  personalNumber: alphanumeric(0, 14),
});

/** The positions of numeric fields' characters: dates and check digits (line, index). */
function numericPositions(format: 'TD1' | 'TD3'): [number, number][] {
  const range = (line: number, from: number, to: number) =>
    Array.from({ length: to - from }, (_, i): [number, number] => [line, from + i]);
  return format === 'TD3'
    ? [[1, 9] as [number, number], ...range(1, 13, 20), ...range(1, 21, 28), [1, 43]]
    : [[0, 14] as [number, number], ...range(1, 0, 7), ...range(1, 8, 15), [1, 29]];
}

describe('properties', () => {
  it('any composed MRZ reads back as valid with the same data', () => {
    fc.assert(
      fc.property(fieldsArbitrary, (fields) => {
        const lines = mrzLines(fields);
        const reading = readMrzText(lines.join('\n'), REFERENCE);
        expect(reading?.valid).toBe(true);
        expect(reading?.repaired).toBe(false);
        expect(reading?.lines).toEqual(lines);
        expect(reading?.fields).toMatchObject({
          documentNumber: fields.documentNumber,
          lastName: fields.lastName,
          firstName: fields.firstName,
          birthDate: fields.birthDate,
          expirationDate: fields.expirationDate,
          sex: fields.sex,
        });
        if (fields.format === 'TD3' && fields.personalNumber) {
          expect(reading?.fields.personalNumber).toBe(fields.personalNumber);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('one corrupted character in a numeric field is repaired or reported invalid, never valid with wrong data', () => {
    fc.assert(
      fc.property(
        fieldsArbitrary,
        fc.nat(),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<'),
        (fields, which, char) => {
          const lines = mrzLines(fields);
          const positions = numericPositions(fields.format);
          const [line, index] = positions[which % positions.length] as [number, number];
          fc.pre(lines[line]?.charAt(index) !== char);
          const corrupted = lines.map((text, i) => (i === line ? replaceAt(text, index, char) : text));
          const reading = readMrzText(corrupted, REFERENCE);
          if (reading?.valid) expect(reading.lines).toEqual(lines);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('whatever the text, reading it gives a reading or undefined, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const reading = readMrzText(text, REFERENCE);
        if (reading) expect(['TD1', 'TD2', 'TD3']).toContain(reading.format);
      }),
    );
  });
});
