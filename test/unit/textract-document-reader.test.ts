import {
  AccessDeniedException,
  AnalyzeIDCommand,
  type AnalyzeIDCommandOutput,
  BadDocumentException,
  DocumentTooLargeException,
  type IdentityDocumentField,
  InvalidParameterException,
  ProvisionedThroughputExceededException,
  TextractClient,
  ThrottlingException,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTextractDocumentReader } from '#adapters/textract-document-reader';
import { mrzLines, readMrzText } from '#domain/mrz';

/**
 * The Textract provider against a mocked SDK client: the request it sends, and how AnalyzeID's
 * answers (in the shape AWS documents: IdentityDocuments[].IdentityDocumentFields[] of Type and
 * ValueDetection, dates with a NormalizedValue, every field present, empty when not found) become
 * the same reading the offline engine gives.
 */

const textract = mockClient(TextractClient);
beforeEach(() => textract.reset());

const NOW = new Date('2026-03-01T00:00:00Z');
const reader = createTextractDocumentReader({
  client: new TextractClient({ region: 'us-east-1' }),
  clock: { now: () => NOW },
});
const IMAGE = Buffer.from('jpeg bytes of a passport photo page');

const PASSPORT_MRZ = mrzLines({
  format: 'TD3',
  documentCode: 'P',
  issuingState: 'USA',
  documentNumber: '963545637',
  nationality: 'USA',
  lastName: 'JOHN',
  firstName: 'JESSICA',
  birthDate: '1997-05-15',
  sex: 'F',
  expirationDate: '2032-12-02',
});

const field = (type: string, text: string, confidence = 99.1, date?: string): IdentityDocumentField => ({
  Type: { Text: type },
  ValueDetection: {
    Text: text,
    Confidence: confidence,
    ...(date ? { NormalizedValue: { Value: `${date}T00:00:00`, ValueType: 'Date' as 'DATE' } } : {}),
  },
});

const response = (fields: IdentityDocumentField[]): AnalyzeIDCommandOutput => ({
  $metadata: { httpStatusCode: 200 },
  DocumentMetadata: { Pages: 1 },
  AnalyzeIDModelVersion: '1.0',
  IdentityDocuments: [{ DocumentIndex: 1, IdentityDocumentFields: fields, Blocks: [] }],
});

const passportResponse = (mrz: string) =>
  response([
    field('FIRST_NAME', 'JESSICA'),
    field('LAST_NAME', 'JOHN'),
    field('MIDDLE_NAME', ''),
    field('SUFFIX', ''),
    field('CITY_IN_ADDRESS', ''),
    field('DOCUMENT_NUMBER', '963545637'),
    field('EXPIRATION_DATE', '02 DEC 2032', 98.7, '2032-12-02'),
    field('DATE_OF_BIRTH', '15 MAY 1997', 98.9, '1997-05-15'),
    field('DATE_OF_ISSUE', '03 DEC 2022', 98.2, '2022-12-03'),
    field('ID_TYPE', 'PASSPORT'),
    field('PLACE_OF_BIRTH', 'CALIFORNIA, U.S.A.'),
    field('MRZ_CODE', mrz, 97.4),
  ]);

describe('Textract document reader', () => {
  it('sends the image bytes as the one page of an AnalyzeID request', async () => {
    textract.on(AnalyzeIDCommand).resolves(response([]));
    await reader.read(IMAGE);
    const calls = textract.commandCalls(AnalyzeIDCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ DocumentPages: [{ Bytes: IMAGE }] });
  });

  it("reads a passport's MRZ_CODE with our own rules: the offline engine's reading, check digits and all", async () => {
    textract.on(AnalyzeIDCommand).resolves(passportResponse(PASSPORT_MRZ.join('\n')));
    const reading = await reader.read(IMAGE);
    expect(reading).toEqual(readMrzText(PASSPORT_MRZ, { referenceDate: NOW }));
    expect(reading).toMatchObject({
      format: 'TD3',
      valid: true,
      repaired: false,
      lines: PASSPORT_MRZ,
      fields: {
        documentCode: 'P',
        issuingState: 'USA',
        documentNumber: '963545637',
        lastName: 'JOHN',
        firstName: 'JESSICA',
        birthDate: '1997-05-15',
        expirationDate: '2032-12-02',
        sex: 'F',
      },
    });
  });

  it('is not valid when a check digit fails, however sure Textract was', async () => {
    const line2 = PASSPORT_MRZ[1] ?? '';
    const wrongBirth = `${line2.slice(0, 13)}970516${line2.slice(19)}`; // the check digit is for 970515
    textract.on(AnalyzeIDCommand).resolves(passportResponse(`${PASSPORT_MRZ[0]}\n${wrongBirth}`));
    const reading = await reader.read(IMAGE);
    expect(reading?.valid).toBe(false);
    expect(reading?.checks.birthDate).toBe(false);
  });

  it('repairs letter-for-digit misreads as the offline engine does, only when every check then passes', async () => {
    const line2 = PASSPORT_MRZ[1] ?? '';
    const misread = `${line2.slice(0, 13)}97O5I5${line2.slice(19)}`;
    textract.on(AnalyzeIDCommand).resolves(passportResponse(`${PASSPORT_MRZ[0]}\n${misread}`));
    expect(await reader.read(IMAGE)).toMatchObject({ valid: true, repaired: true, lines: PASSPORT_MRZ });
  });

  it('takes an MRZ given as one run or split by spaces', async () => {
    for (const text of [PASSPORT_MRZ.join(''), PASSPORT_MRZ.join(' ')]) {
      textract.reset();
      textract.on(AnalyzeIDCommand).resolves(passportResponse(text));
      expect(await reader.read(IMAGE), JSON.stringify(text)).toMatchObject({
        valid: true,
        lines: PASSPORT_MRZ,
      });
    }
  });

  it("reads a TD1 card's three lines", async () => {
    const lines = mrzLines({
      format: 'TD1',
      documentCode: 'ID',
      issuingState: 'CAN',
      documentNumber: 'AB1234567',
      nationality: 'CAN',
      lastName: 'TREMBLAY',
      firstName: 'MARIE',
      birthDate: '1988-09-30',
      sex: 'F',
      expirationDate: '2030-01-31',
    });
    textract.on(AnalyzeIDCommand).resolves(response([field('MRZ_CODE', lines.join('\n'))]));
    expect(await reader.read(IMAGE)).toMatchObject({ format: 'TD1', valid: true, lines });
  });

  it("offers a US licence's printed fields apart, unverified, and reads no MRZ where there is none", async () => {
    textract.on(AnalyzeIDCommand).resolves(
      response([
        field('FIRST_NAME', 'GARCIA'),
        field('LAST_NAME', 'MARIA'),
        field('MIDDLE_NAME', 'A', 62.5), // not sure: left out
        field('SUFFIX', ''),
        field('CITY_IN_ADDRESS', 'BROOKLYN'),
        field('ZIP_CODE_IN_ADDRESS', '11201'),
        field('STATE_IN_ADDRESS', 'NY'),
        field('STATE_NAME', 'NEW YORK'),
        field('DOCUMENT_NUMBER', '123 456 789'),
        field('EXPIRATION_DATE', '10/31/2030', 99.4, '2030-10-31'),
        field('DATE_OF_BIRTH', '10/31/1978', 99.6, '1978-10-31'),
        field('DATE_OF_ISSUE', '09/30/2022', 99.2), // no normalised value: a printed date alone is ambiguous
        field('ID_TYPE', 'DRIVER LICENSE FRONT'),
        field('ENDORSEMENTS', 'NONE'),
        field('VETERAN', ''),
        field('CLASS', 'D'),
        field('RESTRICTIONS', 'NONE'),
        field('ADDRESS', '123 ANY STREET BROOKLYN NY 11201'),
        field('COUNTY', ''),
        field('PLACE_OF_BIRTH', ''),
        field('MRZ_CODE', ''),
      ]),
    );
    await expect(reader.read(IMAGE)).resolves.toBeUndefined();
    expect(await reader.analyze(IMAGE)).toEqual({
      printed: {
        idType: 'DRIVER LICENSE FRONT',
        documentNumber: '123 456 789',
        firstName: 'GARCIA',
        lastName: 'MARIA',
        birthDate: '1978-10-31',
        expirationDate: '2030-10-31',
        issuingState: 'NEW YORK',
        address: '123 ANY STREET BROOKLYN NY 11201',
      },
    });
  });

  it('keeps both the MRZ and the printed fields for the agreement checks', async () => {
    textract.on(AnalyzeIDCommand).resolves(passportResponse(PASSPORT_MRZ.join('\n')));
    const reading = await reader.analyze(IMAGE);
    expect(reading?.mrz?.valid).toBe(true);
    expect(reading?.printed).toMatchObject({
      idType: 'PASSPORT',
      issueDate: '2022-12-03',
      placeOfBirth: 'CALIFORNIA, U.S.A.',
    });
  });

  it.each([
    [
      'BadDocumentException',
      new BadDocumentException({ message: 'Unable to read the document', $metadata: {} }),
    ],
    [
      'UnsupportedDocumentException',
      new UnsupportedDocumentException({ message: 'unsupported', $metadata: {} }),
    ],
    ['DocumentTooLargeException', new DocumentTooLargeException({ message: 'too large', $metadata: {} })],
    ['InvalidParameterException', new InvalidParameterException({ message: 'invalid', $metadata: {} })],
  ])('reads nothing, without throwing, from a document Textract cannot use (%s)', async (_name, error) => {
    textract.on(AnalyzeIDCommand).rejects(error);
    await expect(reader.read(IMAGE)).resolves.toBeUndefined();
    await expect(reader.analyze(IMAGE)).resolves.toBeUndefined();
  });

  it.each([
    ['ThrottlingException', new ThrottlingException({ message: 'slow down', $metadata: {} })],
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ message: 'limit', $metadata: {} }),
    ],
    ['AccessDeniedException', new AccessDeniedException({ message: 'not allowed', $metadata: {} })],
    [
      'a credentials error',
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
    ],
    ['a network error', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
  ])('throws on %s, so that the queue retries the message', async (_name, error) => {
    textract.on(AnalyzeIDCommand).rejects(error);
    await expect(reader.read(IMAGE)).rejects.toBe(error);
  });

  it('sends nothing for an empty image', async () => {
    await expect(reader.read(Buffer.alloc(0))).resolves.toBeUndefined();
    expect(textract.commandCalls(AnalyzeIDCommand)).toHaveLength(0);
  });
});
