import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallbackFormInput,
  callbackForm,
  checkRetrySchedule,
  classifyResponse,
  DataFields,
  DEFAULT_DATA_FIELDS,
  MAX_RETRY_AFTER_SECONDS,
  nextAttemptDelay,
  parseRetryAfter,
  parseRetrySchedule,
  RetryScheduleVariable,
  STANDARD_WEBHOOKS_SCHEDULE_SECONDS,
  sqsDelayChunk,
  urlForLogs,
  type VerificationOutcome,
} from '#domain/callback';
import * as z from '#domain/zod';

/** The callback body (Netverify's callback guide), the retry schedule and how answers are read. */

const REF = 'a1b2c3d4-0000-4000-8000-000000000001';
const NOW = new Date('2026-03-04T05:06:07.089Z');

const approved: VerificationOutcome = {
  verificationStatus: 'APPROVED_VERIFIED',
  idType: 'PASSPORT',
  idCountry: 'AUT',
  idNumber: 'P1234567',
  idFirstName: 'ANNA',
  idLastName: 'MUSTER',
  idDob: '1990-01-01',
  idExpiry: '2030-12-31',
  personalNumber: '123',
  optionalData1: 'OPT1',
  optionalData2: 'OPT2',
  gender: 'F',
  nationality: 'AUT',
  mrzCheck: 'OK',
  identityVerification: { similarity: 'MATCH', validity: true },
  faceMatch: 97,
};

function input(overrides: Partial<CallbackFormInput> = {}): CallbackFormInput {
  return {
    transaction: {
      reference: REF,
      customerInternalReference: 'order-42',
      userReference: 'user-7',
      createdAt: '2026-03-04T05:00:00Z',
      source: 'WEB_CAM',
    },
    outcome: approved,
    dataFields: DEFAULT_DATA_FIELDS,
    callbackDate: NOW,
    ...overrides,
  };
}

const CHECKS = [
  'idCheckDataPositions',
  'idCheckDocumentValidation',
  'idCheckHologram',
  'idCheckMRZcode',
  'idCheckMicroprint',
  'idCheckSecurityFeatures',
  'idCheckSignature',
];

describe('callbackForm', () => {
  it('sends every field of an approved passport, in the guide formats', () => {
    const form = callbackForm(
      input({
        transaction: {
          reference: REF,
          customerInternalReference: 'order-42',
          userReference: 'user-7',
          reportingCriteria: 'campaign-1',
          createdAt: new Date('2026-03-04T05:00:00Z'),
          presetCountry: 'AUT',
          presetIdType: 'PASSPORT',
          clientIp: '203.0.113.7',
          source: 'WEB_UPLOAD',
          firstAttemptDate: '2026-03-04T05:01:02.3Z',
        },
        imageBaseUrl: 'https://verify.example.com/',
        images: ['front', 'face'],
      }),
    );
    expect(Object.fromEntries(form)).toEqual({
      callBackType: 'NETVERIFYID',
      jumioIdScanReference: REF,
      verificationStatus: 'APPROVED_VERIFIED',
      idScanStatus: 'SUCCESS',
      idScanSource: 'WEB_UPLOAD',
      ...Object.fromEntries(CHECKS.map((check) => [check, 'OK'])),
      transactionDate: '2026-03-04T05:00:00.000Z',
      callbackDate: '2026-03-04T05:06:07.089Z',
      identityVerification: '{"similarity":"MATCH","validity":"TRUE"}',
      idType: 'PASSPORT',
      idCountry: 'AUT',
      idScanImage: `https://verify.example.com/api/netverify/v2/scans/${REF}/images/front`,
      idScanImageFace: `https://verify.example.com/api/netverify/v2/scans/${REF}/images/face`,
      idNumber: 'P1234567',
      idFirstName: 'ANNA',
      idLastName: 'MUSTER',
      idDob: '1990-01-01',
      idExpiry: '2030-12-31',
      personalNumber: '123',
      merchantIdScanReference: 'order-42',
      merchantReportingCriteria: 'campaign-1',
      customerId: 'user-7',
      clientIp: '203.0.113.7',
      firstAttemptDate: '2026-03-04T05:01:02.300Z',
      optionalData1: 'OPT1',
      optionalData2: 'OPT2',
      gender: 'F',
      presetCountry: 'AUT',
      presetIdType: 'PASSPORT',
      nationality: 'AUT',
    });
    expect(form.has('faceMatch')).toBe(false);
    expect(form.has('mrzCheck')).toBe(false);
  });

  it('encodes as application/x-www-form-urlencoded, UTF-8', () => {
    const form = callbackForm(
      input({ outcome: { ...approved, idFirstName: 'ZOË & CO', idLastName: 'Müller=1' } }),
    );
    const body = form.toString();
    expect(body).toContain('idFirstName=ZO%C3%8B+%26+CO');
    expect(body).toContain('idLastName=M%C3%BCller%3D1');
    expect(new URLSearchParams(body).get('idFirstName')).toBe('ZOË & CO');
  });

  it('a fraud result carries the reject reason as JSON, N/A checks and no identity verification', () => {
    const form = callbackForm(
      input({
        outcome: {
          verificationStatus: 'DENIED_FRAUD',
          idType: 'PASSPORT',
          idCountry: 'USA',
          mrzCheck: 'NOT_OK',
          identityVerification: { similarity: 'MATCH', validity: true },
          rejectReason: {
            rejectReasonCode: '100',
            rejectReasonDescription: 'MANIPULATED_DOCUMENT',
            rejectReasonDetails: [
              { detailsCode: '1001', detailsDescription: 'PHOTO' },
              { detailsCode: '1004', detailsDescription: 'DOB' },
            ],
          },
        },
      }),
    );
    expect(form.get('idScanStatus')).toBe('ERROR');
    for (const check of CHECKS) expect(form.get(check)).toBe('N/A');
    expect(JSON.parse(form.get('rejectReason') ?? '')).toEqual({
      rejectReasonCode: '100',
      rejectReasonDescription: 'MANIPULATED_DOCUMENT',
      rejectReasonDetails: [
        { detailsCode: '1001', detailsDescription: 'PHOTO' },
        { detailsCode: '1004', detailsDescription: 'DOB' },
      ],
    });
    expect(form.has('identityVerification')).toBe(false);
  });

  it('a reject reason without details leaves rejectReasonDetails out', () => {
    const form = callbackForm(
      input({
        outcome: {
          verificationStatus: 'ERROR_NOT_READABLE_ID',
          rejectReason: {
            rejectReasonCode: '206',
            rejectReasonDescription: 'MISSING_BACK',
            rejectReasonDetails: [],
          },
        },
      }),
    );
    expect(form.get('rejectReason')).toBe(
      '{"rejectReasonCode":"206","rejectReasonDescription":"MISSING_BACK"}',
    );
  });

  it.each([
    'APPROVED_VERIFIED',
    'DENIED_UNSUPPORTED_ID_TYPE',
    'DENIED_UNSUPPORTED_ID_COUNTRY',
    'NO_ID_UPLOADED',
  ] as const)('no reject reason with %s', (verificationStatus) => {
    const form = callbackForm(
      input({
        outcome: {
          verificationStatus,
          rejectReason: { rejectReasonCode: '200', rejectReasonDescription: 'NOT_READABLE_DOCUMENT' },
        },
      }),
    );
    expect(form.has('rejectReason')).toBe(false);
  });

  it('identity verification that failed carries its reason', () => {
    const form = callbackForm(
      input({
        outcome: {
          ...approved,
          identityVerification: { similarity: 'NOT_POSSIBLE', validity: false, reason: 'LIVENESS_FAILED' },
        },
      }),
    );
    expect(form.get('identityVerification')).toBe(
      '{"similarity":"NOT_POSSIBLE","validity":"FALSE","reason":"LIVENESS_FAILED"}',
    );
  });

  it('a drop-off (NO_ID_UPLOADED) sends the required fields and the references only', () => {
    const form = callbackForm(input({ outcome: { verificationStatus: 'NO_ID_UPLOADED' } }));
    expect([...form.keys()]).toEqual([
      'callBackType',
      'jumioIdScanReference',
      'verificationStatus',
      'idScanStatus',
      'idScanSource',
      ...CHECKS,
      'transactionDate',
      'callbackDate',
      'merchantIdScanReference',
      'customerId',
    ]);
  });

  it('performNetverify without a customerId sends none, and idScanSource=API', () => {
    const form = callbackForm(
      input({
        transaction: {
          reference: REF,
          customerInternalReference: 'order-42',
          createdAt: '2026-03-04T05:00:00.000Z',
          source: 'API',
        },
      }),
    );
    expect(form.get('idScanSource')).toBe('API');
    expect(form.has('customerId')).toBe(false);
  });

  it('the MRZ check is OK only when enabled, available and passed', () => {
    const mrzFor = (mrzCheck: VerificationOutcome['mrzCheck'], enabled: boolean) =>
      callbackForm(
        input({
          outcome: { ...approved, mrzCheck },
          dataFields: { ...DEFAULT_DATA_FIELDS, mrzCheck: enabled },
        }),
      ).get('idCheckMRZcode');
    expect(mrzFor('OK', true)).toBe('OK');
    expect(mrzFor('OK', false)).toBe('N/A');
    expect(mrzFor('NOT_AVAILABLE', true)).toBe('N/A');
    expect(mrzFor(undefined, true)).toBe('N/A');
  });

  describe('data settings', () => {
    const none = DataFields.parse({
      idNumber: false,
      firstName: false,
      lastName: false,
      dateOfBirth: false,
      expiryDate: false,
      usState: false,
      personalNumber: false,
      mrzCheck: false,
    });
    const withState = { ...approved, idUsState: 'CA' };

    it('every field is on by default', () => {
      expect(Object.values(DEFAULT_DATA_FIELDS).every(Boolean)).toBe(true);
      expect(Object.keys(DEFAULT_DATA_FIELDS)).toHaveLength(8);
    });

    it('with every field off, no extracted personal field is sent', () => {
      const form = callbackForm(input({ outcome: withState, dataFields: none }));
      for (const field of [
        'idNumber',
        'idFirstName',
        'idLastName',
        'idDob',
        'idExpiry',
        'idUsState',
        'personalNumber',
      ]) {
        expect(form.has(field), field).toBe(false);
      }
      expect(form.get('idCheckMRZcode')).toBe('N/A');
      expect(form.get('idType')).toBe('PASSPORT');
    });

    it.each([
      ['idNumber', 'idNumber'],
      ['firstName', 'idFirstName'],
      ['lastName', 'idLastName'],
      ['dateOfBirth', 'idDob'],
      ['expiryDate', 'idExpiry'],
      ['usState', 'idUsState'],
      ['personalNumber', 'personalNumber'],
    ] as const)('%s alone sends %s', (setting, field) => {
      const form = callbackForm(input({ outcome: withState, dataFields: { ...none, [setting]: true } }));
      const sent = [
        'idNumber',
        'idFirstName',
        'idLastName',
        'idDob',
        'idExpiry',
        'idUsState',
        'personalNumber',
      ].filter((name) => form.has(name));
      expect(sent).toEqual([field]);
    });

    it('the MRZ check returns date of birth, expiry and personal number with it (seed 003)', () => {
      const form = callbackForm(input({ outcome: withState, dataFields: { ...none, mrzCheck: true } }));
      expect(form.get('idDob')).toBe('1990-01-01');
      expect(form.get('idExpiry')).toBe('2030-12-31');
      expect(form.get('personalNumber')).toBe('123');
      expect(form.has('idNumber')).toBe(false);
      expect(form.has('idFirstName')).toBe(false);
      expect(form.get('idCheckMRZcode')).toBe('OK');
    });

    it('refuses unknown keys and non-booleans', () => {
      expect(z.safeParse(DataFields, { dateofbirth: false }).success).toBe(false);
      expect(z.safeParse(DataFields, { idNumber: 'no' }).success).toBe(false);
    });

    it('fills in what is missing with the default', () => {
      expect(DataFields.parse({ idNumber: false })).toEqual({ ...DEFAULT_DATA_FIELDS, idNumber: false });
    });
  });

  describe('image URLs', () => {
    it('one per stored image, under the retrieval API, when a base URL is given', () => {
      const form = callbackForm(
        input({ imageBaseUrl: 'https://verify.example.com', images: ['front', 'back', 'face'] }),
      );
      expect(form.get('idScanImage')).toBe(
        `https://verify.example.com/api/netverify/v2/scans/${REF}/images/front`,
      );
      expect(form.get('idScanImageBackside')).toBe(
        `https://verify.example.com/api/netverify/v2/scans/${REF}/images/back`,
      );
      expect(form.get('idScanImageFace')).toBe(
        `https://verify.example.com/api/netverify/v2/scans/${REF}/images/face`,
      );
    });

    it('none without a base URL, and none for images not stored', () => {
      expect(callbackForm(input({ images: ['front'] })).has('idScanImage')).toBe(false);
      const form = callbackForm(input({ imageBaseUrl: 'https://verify.example.com', images: ['front'] }));
      expect(form.has('idScanImage')).toBe(true);
      expect(form.has('idScanImageBackside')).toBe(false);
      expect(form.has('idScanImageFace')).toBe(false);
      expect(callbackForm(input({ imageBaseUrl: 'https://verify.example.com' })).has('idScanImage')).toBe(
        false,
      );
    });
  });

  it('sends no empty values', () => {
    const form = callbackForm(input({ outcome: { ...approved, idSubtype: '', optionalData1: '' } }));
    expect(form.has('idSubtype')).toBe(false);
    expect(form.has('optionalData1')).toBe(false);
  });

  it('dates are always YYYY-MM-DDThh:mm:ss.SSSZ in UTC', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01Z'), max: new Date('2999-12-31Z'), noInvalidDate: true }),
        (date) => {
          const form = callbackForm(
            input({ callbackDate: date, transaction: { ...input().transaction, createdAt: date } }),
          );
          for (const field of ['callbackDate', 'transactionDate']) {
            expect(form.get(field)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
            expect(new Date(form.get(field) ?? '').getTime()).toBe(date.getTime());
          }
        },
      ),
    );
  });
});

describe('the retry schedule', () => {
  it('is Standard Webhooks: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h', () => {
    const h = 3600;
    expect(STANDARD_WEBHOOKS_SCHEDULE_SECONDS).toEqual([
      0,
      5,
      300,
      1800,
      2 * h,
      5 * h,
      10 * h,
      14 * h,
      20 * h,
      24 * h,
    ]);
  });

  it('gives the wait before each attempt, then undefined for the dead letter', () => {
    const waits = [];
    for (let made = 0; ; made++) {
      const wait = nextAttemptDelay(STANDARD_WEBHOOKS_SCHEDULE_SECONDS, made);
      if (wait === undefined) break;
      waits.push(wait);
    }
    expect(waits).toEqual(STANDARD_WEBHOOKS_SCHEDULE_SECONDS);
    expect(nextAttemptDelay(STANDARD_WEBHOOKS_SCHEDULE_SECONDS, 10)).toBeUndefined();
    expect(nextAttemptDelay([], 0)).toBeUndefined();
  });

  it('takes Retry-After as a lower bound, capped at the longest step of the schedule', () => {
    expect(nextAttemptDelay(STANDARD_WEBHOOKS_SCHEDULE_SECONDS, 1, 120)).toBe(120);
    expect(nextAttemptDelay(STANDARD_WEBHOOKS_SCHEDULE_SECONDS, 2, 120)).toBe(300);
    expect(nextAttemptDelay(STANDARD_WEBHOOKS_SCHEDULE_SECONDS, 1, 10 * 86_400)).toBe(86_400);
    expect(nextAttemptDelay([0, 1, 2, 4], 1, 3600)).toBe(4);
    expect(nextAttemptDelay([0, 1, 2, 4], 4, 3600)).toBeUndefined();
  });

  it('OPENVERIFY_RETRY_SCHEDULE replaces it', () => {
    expect(parseRetrySchedule('0,1,2,4')).toEqual([0, 1, 2, 4]);
    expect(parseRetrySchedule(' 0, 5 ,300 ')).toEqual([0, 5, 300]);
    expect(parseRetrySchedule('7')).toEqual([7]);
  });

  it.each([
    ['', 'item 1 ("")'],
    ['0,,2', 'item 2 ("")'],
    ['0,1,x', 'item 3 ("x")'],
    ['0,-1', 'item 2 ("-1")'],
    ['0,1.5', 'item 2 ("1.5")'],
    ['0,1e3', 'item 2 ("1e3")'],
    ['0;1', 'item 1 ("0;1")'],
    ['0,1,', 'item 3 ("")'],
    ['0,99999999', 'item 2 ("99999999")'],
  ])('%j is refused, naming the variable and the item', (text, item) => {
    expect(() => parseRetrySchedule(text)).toThrow(/^OPENVERIFY_RETRY_SCHEDULE: /);
    expect(() => parseRetrySchedule(text)).toThrow(item);
  });

  it('refuses an absurdly long schedule', () => {
    expect(checkRetrySchedule(Array(51).fill('1').join(',')).problem).toMatch(/at most 50/);
  });

  it('is readable as a config schema', () => {
    expect(z.parse(RetryScheduleVariable, '0,1,2,4')).toEqual([0, 1, 2, 4]);
    const result = z.safeParse(RetryScheduleVariable, '0,x');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/OPENVERIFY_RETRY_SCHEDULE: item 2/);
  });

  it('every input either parses or names the variable', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = checkRetrySchedule(text);
        if (result.problem === undefined)
          expect(result.schedule.every((s) => Number.isInteger(s) && s >= 0)).toBe(true);
        else expect(result.problem).toMatch(/^OPENVERIFY_RETRY_SCHEDULE: /);
      }),
    );
  });
});

describe('sqsDelayChunk', () => {
  it('never asks SQS for more than 15 minutes', () => {
    expect(sqsDelayChunk(0)).toBe(0);
    expect(sqsDelayChunk(5)).toBe(5);
    expect(sqsDelayChunk(899.2)).toBe(900);
    expect(sqsDelayChunk(900)).toBe(900);
    expect(sqsDelayChunk(86_400)).toBe(900);
    expect(sqsDelayChunk(-3)).toBe(0);
    expect(sqsDelayChunk(Number.NaN)).toBe(0);
  });

  it('hops add up to the wait', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (wait) => {
        let remaining = wait;
        let hops = 0;
        while (remaining > 0) {
          const chunk = sqsDelayChunk(remaining);
          expect(chunk).toBeGreaterThan(0);
          expect(chunk).toBeLessThanOrEqual(900);
          remaining -= chunk;
          hops++;
        }
        expect(remaining).toBe(0);
        expect(hops).toBe(Math.ceil(wait / 900));
      }),
    );
  });
});

describe('classifyResponse', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (statusCode) => {
    expect(classifyResponse({ statusCode }, NOW)).toEqual({ outcome: 'delivered' });
  });

  it('410 Gone stops the retries', () => {
    expect(classifyResponse({ statusCode: 410, retryAfter: '60' }, NOW)).toEqual({
      outcome: 'gone',
      errorClass: 'http_status',
    });
  });

  it.each([100, 400, 401, 403, 404, 408, 429, 500, 502, 503, 504, 0])('%i is retried', (statusCode) => {
    expect(classifyResponse({ statusCode }, NOW)).toEqual({ outcome: 'retry', errorClass: 'http_status' });
  });

  it.each([300, 301, 302, 303, 307, 308])('%i is a failed attempt, not followed', (statusCode) => {
    expect(classifyResponse({ statusCode }, NOW)).toEqual({ outcome: 'retry', errorClass: 'redirect' });
  });

  it.each(['timeout', 'connection_reset', 'connection_refused', 'tls', 'dns'] as const)(
    '%s is retried',
    (failure) => {
      expect(classifyResponse({ failure }, NOW)).toEqual({ outcome: 'retry', errorClass: failure });
    },
  );

  it('reads Retry-After in seconds and as an HTTP date', () => {
    expect(classifyResponse({ statusCode: 503, retryAfter: '120' }, NOW)).toEqual({
      outcome: 'retry',
      errorClass: 'http_status',
      retryAfterSeconds: 120,
    });
    const inTwoMinutes = new Date(NOW.getTime() + 120_000).toUTCString();
    expect(classifyResponse({ statusCode: 429, retryAfter: inTwoMinutes }, NOW).retryAfterSeconds).toBe(120);
  });

  it.each([
    ['0', 0],
    [' 30 ', 30],
    ['999999999', MAX_RETRY_AFTER_SECONDS],
    ['Wed, 04 Mar 2026 05:06:00 GMT', 0], // in the past
    ['Wed, 04 Mar 2026 05:16:07 GMT', 600],
    ['Wednesday, 04-Mar-26 05:16:07 GMT', 600], // RFC 850
    ['Wed Mar  4 05:16:07 2026', 600], // asctime
  ])('Retry-After %j → %i', (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it.each(['', 'soon', '-5', '1.5', '1e3', 'May', 'Wed, 99 Foo 2026'])('ignores Retry-After %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('urlForLogs', () => {
  it('drops the query string and user info', () => {
    expect(urlForLogs('https://user:pw@hooks.example.com:8443/jumio?token=secret#x')).toBe(
      'https://hooks.example.com:8443/jumio',
    );
    expect(urlForLogs('not a url')).toBe('(invalid URL)');
  });
});
