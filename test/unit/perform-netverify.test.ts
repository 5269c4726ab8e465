import * as fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#domain/customer';
import { Conflict, Unauthorized, ValidationError } from '#domain/errors';
import { isImageKeyOf, MAX_UPLOAD_BYTES } from '#domain/journey';
import {
  base64DecodedLength,
  isCalendarDate,
  PERFORM_NETVERIFY_MAX_BODY_BYTES,
  PerformNetverifyRequest,
  PerformNetverifyUploadsRequest,
  readUploadManifest,
  UPLOAD_REFERENCE_LIFETIME_SECONDS,
  uploadKey,
} from '#domain/perform-netverify';
import { CustomerSettings } from '#domain/settings';
import { fieldIssues } from '#domain/validation';
import * as z from '#domain/zod';
import { api, MAX_BODY_BYTES } from '#http/api';
import { logger } from '#http/logger';
import { openApiDocument } from '#http/openapi';
import { ROUTES } from '#shared/routes';
import type { Authenticate } from '#use-cases/authenticate';
import {
  issuePerformNetverifyUploads,
  type PerformNetverifyDeps,
  performNetverify,
} from '#use-cases/perform-netverify';
import type { ImageStore, StoredImage, WorkQueue } from '#use-cases/ports';
import { apiEvent, lambdaContext, parseResponse, VALID_SECRET, VALID_TOKEN } from './api-events.ts';
import { FakeClock, InMemoryTransactions, MINUTE } from './in-memory-ports.ts';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(60, 2),
]);
const b64 = (bytes: Buffer) => bytes.toString('base64');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const MINIMAL = {
  merchantIdScanReference: 'scan_1234',
  frontsideImage: b64(JPEG),
  country: 'AUT',
  idType: 'PASSPORT',
};

/** The `{field, rule}` pairs the body is refused with, or [] when it parses. */
function issuesOf(body: unknown) {
  const result = z.safeParse(PerformNetverifyRequest, body);
  if (result.success) return [];
  return fieldIssues(result.error, body).map(({ field, rule }) => ({ field, rule }));
}

const parse = (body: Record<string, unknown>) => PerformNetverifyRequest.parse(body);

describe('PerformNetverifyRequest', () => {
  it("takes the guide's sample request, with the images decoded", () => {
    const body = parse(MINIMAL);
    expect(body.frontsideImage).toEqual(JPEG);
    expect(body).toMatchObject({ merchantIdScanReference: 'scan_1234', country: 'AUT', idType: 'PASSPORT' });
  });

  it('takes every field of the guide within its limits, and null as absent', () => {
    const body = parse({
      ...MINIMAL,
      idType: 'ID_CARD',
      backsideImage: b64(PNG),
      backsideImageMimeType: 'image/png',
      faceImage: b64(JPEG),
      faceImageMimeType: 'image/jpeg',
      frontsideImageMimeType: 'image/jpeg',
      enabledFields:
        'idNumber,idFirstName,idLastName,idDob, idExpiry,idUsState,idPersonalNumber,idFaceMatch,idAddress',
      merchantReportingCriteria: 'r'.repeat(100),
      customerId: 'c'.repeat(100),
      callbackUrl: 'https://www.yourcompany.com/callback',
      firstName: 'José',
      lastName: 'l'.repeat(100),
      usState: 'CA',
      expiry: '2030-02-28',
      dob: '2000-02-29',
      number: 'n'.repeat(100),
      personalNumber: 'p'.repeat(14),
      callbackGranularity: 'onAllSteps',
      uploadReference: null,
    });
    expect(body.enabledFields).toContain('idExpiry');
    expect(body.backsideImage).toEqual(PNG);
    expect(body.uploadReference).toBeUndefined();
  });

  it('names every missing required field, the front image included', () => {
    expect(issuesOf({})).toEqual([
      { field: 'merchantIdScanReference', rule: 'required' },
      { field: 'country', rule: 'required' },
      { field: 'idType', rule: 'required' },
      { field: 'frontsideImage', rule: 'required' },
    ]);
  });

  it.each([
    [{ merchantIdScanReference: 'john.doe@example.com' }, 'merchantIdScanReference', 'no-pii'],
    [{ merchantIdScanReference: 'x'.repeat(101) }, 'merchantIdScanReference', 'max-length'],
    [{ customerId: 'john%40example.com' }, 'customerId', 'no-pii'],
    [{ customerId: 'c'.repeat(101) }, 'customerId', 'max-length'],
    [{ merchantReportingCriteria: 'r'.repeat(101) }, 'merchantReportingCriteria', 'max-length'],
    [{ frontsideImage: 'not base64!' }, 'frontsideImage', 'base64'],
    [{ frontsideImage: `data:image/jpeg;base64,${b64(JPEG)}` }, 'frontsideImage', 'base64'],
    [{ frontsideImage: 'QUJD=A==' }, 'frontsideImage', 'base64'],
    [{ frontsideImage: 'QUJDR' }, 'frontsideImage', 'base64'],
    [{ frontsideImage: '' }, 'frontsideImage', 'not-empty'],
    [{ frontsideImage: b64(Buffer.from('GIF89a-not-accepted')) }, 'frontsideImage', 'image-type'],
    [{ frontsideImage: b64(PNG) }, 'frontsideImage', 'image-type'],
    [{ frontsideImage: b64(JPEG), frontsideImageMimeType: 'image/png' }, 'frontsideImage', 'image-type'],
    [{ frontsideImageMimeType: 'image/gif' }, 'frontsideImageMimeType', 'one-of'],
    [{ backsideImage: b64(JPEG), backsideImageMimeType: 'image/jpg' }, 'backsideImageMimeType', 'one-of'],
    [{ country: 'XXX' }, 'country', 'country-code'],
    [{ country: 'AUSTRIA' }, 'country', 'max-length'],
    [{ idType: 'RESIDENCE_PERMIT' }, 'idType', 'one-of'],
    [{ idType: 'VISA' }, 'idType', 'supported-id-type'],
    [{ enabledFields: 'idNumber,idEyeColour' }, 'enabledFields', 'one-of'],
    [{ enabledFields: 'idNumber,'.repeat(12) }, 'enabledFields', 'max-length'],
    [{ enabledFields: 'idFaceMatch' }, 'faceImage', 'required'],
    [{ callbackUrl: 'http://www.yourcompany.com/callback' }, 'callbackUrl', 'https-only'],
    [{ callbackUrl: 'https://192.0.2.1/callback' }, 'callbackUrl', 'no-ip-address'],
    [{ callbackUrl: `https://example.com/${'a'.repeat(240)}` }, 'callbackUrl', 'max-length'],
    [{ firstName: 'f'.repeat(101) }, 'firstName', 'max-length'],
    [{ lastName: 'a\u0000b' }, 'lastName', 'printable'],
    [{ dob: '1990-02-30' }, 'dob', 'date'],
    [{ expiry: '30.01.2030' }, 'expiry', 'date'],
    [{ number: 'n'.repeat(101) }, 'number', 'max-length'],
    [{ personalNumber: 'p'.repeat(15) }, 'personalNumber', 'max-length'],
    [{ callbackGranularity: 'onSomeSteps' }, 'callbackGranularity', 'one-of'],
    [{ callbackURL: 'https://www.yourcompany.com/callback' }, 'callbackURL', 'unknown-field'],
  ])('refuses %j: %s %s', (fields, field, rule) => {
    expect(issuesOf({ ...MINIMAL, ...fields })).toContainEqual({ field, rule });
  });

  it('refuses an image over 5 MB decoded, and takes one of exactly 5 MB', () => {
    const limit = Buffer.alloc(MAX_UPLOAD_BYTES, 0);
    JPEG.copy(limit);
    expect(issuesOf({ ...MINIMAL, frontsideImage: b64(limit) })).toEqual([]);
    const over = Buffer.concat([limit, Buffer.alloc(1)]);
    expect(issuesOf({ ...MINIMAL, frontsideImage: b64(over) })).toEqual([
      { field: 'frontsideImage', rule: 'max-size' },
    ]);
  });

  it('takes base64 wrapped in MIME lines and base64 without padding', () => {
    const wrapped = b64(JPEG).replace(/.{76}/g, '$&\r\n');
    expect(parse({ ...MINIMAL, frontsideImage: wrapped }).frontsideImage).toEqual(JPEG);
    const unpadded = b64(JPEG.subarray(0, 64)).replace(/=+$/, '');
    expect(parse({ ...MINIMAL, frontsideImage: unpadded }).frontsideImage).toEqual(JPEG.subarray(0, 64));
  });

  it('takes uploadReference instead of the images, and refuses them together', () => {
    const { frontsideImage: _, ...withoutImage } = MINIMAL;
    const reference = '7c3e9a2d-6f41-4a57-9d0e-2b1f8c4d5e60';
    expect(issuesOf({ ...withoutImage, uploadReference: reference })).toEqual([]);
    expect(issuesOf({ ...MINIMAL, uploadReference: reference, faceImageMimeType: 'image/png' })).toEqual([
      { field: 'frontsideImage', rule: 'upload-reference-exclusive' },
      { field: 'faceImageMimeType', rule: 'upload-reference-exclusive' },
    ]);
    expect(issuesOf({ ...withoutImage, uploadReference: 'upload-1' })).toEqual([
      { field: 'uploadReference', rule: 'format' },
    ]);
    // With face match on, the face is in the upload, which the use case checks.
    expect(issuesOf({ ...withoutImage, uploadReference: reference, enabledFields: 'idFaceMatch' })).toEqual(
      [],
    );
  });

  it('every input either parses or gives field issues, never a throw', () => {
    const arbitraryBody = fc.record(
      {
        merchantIdScanReference: fc.oneof(fc.string(), fc.constant('scan_1')),
        frontsideImage: fc.oneof(fc.base64String(), fc.string(), fc.constant(b64(JPEG)), fc.constant(null)),
        country: fc.oneof(fc.constantFrom('AUT', 'XKX', 'aut'), fc.string()),
        idType: fc.oneof(fc.constantFrom('PASSPORT', 'VISA'), fc.string()),
        enabledFields: fc.oneof(fc.string(), fc.constant('idFaceMatch')),
        dob: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(arbitraryBody, fc.anything()), (body) => {
        const result = z.safeParse(PerformNetverifyRequest, body);
        if (!result.success) {
          const issues = fieldIssues(result.error, body);
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues) expect(issue.rule).toMatch(/^[a-z0-9-]+$/);
        }
      }),
    );
  });
});

describe('base64DecodedLength', () => {
  it('is the length of the bytes, padded or not, wrapped or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.boolean(), (bytes, pad, wrap) => {
        let text = Buffer.from(bytes).toString('base64');
        if (!pad) text = text.replace(/=+$/, '');
        if (wrap) text = text.replace(/.{76}/g, '$&\r\n');
        expect(base64DecodedLength(text)).toBe(bytes.length);
        expect(Buffer.from(text, 'base64')).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it.each(['A', 'AAAAA', 'AA=', 'A===', 'AA==AA==', 'AA-_', 'AA AA', 'Zm9v\tYmFy'])('refuses %j', (text) => {
    expect(base64DecodedLength(text)).toBeUndefined();
  });
});

describe('isCalendarDate', () => {
  it.each(['2000-02-29', '1999-12-31', '2030-01-01'])('takes %s', (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });
  it.each(['1900-02-29', '2000-13-01', '2000-1-01', '2000-01-32', '20000101', ''])('refuses %j', (date) => {
    expect(isCalendarDate(date)).toBe(false);
  });
});

describe('PerformNetverifyUploadsRequest', () => {
  it('takes one to three distinct images including the front, image/jpeg by default', () => {
    expect(
      PerformNetverifyUploadsRequest.parse({
        images: [{ classifier: 'front' }, { classifier: 'face', mimeType: 'image/png' }],
      }),
    ).toEqual({
      images: [
        { classifier: 'front', mimeType: 'image/jpeg' },
        { classifier: 'face', mimeType: 'image/png' },
      ],
    });
  });

  it.each([
    [{ images: [] }, 'min-items'],
    [{ images: [{ classifier: 'back' }] }, 'front-required'],
    [{ images: [{ classifier: 'front' }, { classifier: 'front' }] }, 'unique-classifier'],
    [{ images: [{ classifier: 'front', mimeType: 'image/gif' }] }, 'one-of'],
    [{ images: [{ classifier: 'selfie' }] }, 'one-of'],
  ])('refuses %j (%s)', (body, rule) => {
    const result = z.safeParse(PerformNetverifyUploadsRequest, body);
    expect(result.success).toBe(false);
    if (!result.success) expect(fieldIssues(result.error, body).map((issue) => issue.rule)).toContain(rule);
  });
});

// ── The use cases ───────────────────────────────────────────────────────────────────────────────────

interface Stored {
  bytes: Buffer;
  contentType: string;
  metadata: Record<string, string>;
}

/** An S3 stand-in: puts, and the uploads a test performs with `upload`. */
class InMemoryImages implements ImageStore {
  readonly objects = new Map<string, Stored>();
  readonly presigned: Parameters<ImageStore['presignUpload']>[0][] = [];

  async presignUpload(request: Parameters<ImageStore['presignUpload']>[0]) {
    this.presigned.push(request);
    return { url: 'https://images.example.com/bucket', fields: { key: request.key } };
  }
  /** What a client's POST to a form does: the object, with the form's type and metadata. */
  upload(key: string, bytes: Buffer, overrides: Partial<Stored> = {}) {
    const form = this.presigned.find((request) => request.key === key);
    if (!form) throw new Error(`no form for ${key}`);
    this.objects.set(key, {
      bytes,
      contentType: form.contentType,
      metadata: { ...form.metadata },
      ...overrides,
    });
  }
  async get(key: string, maxBytes: number): Promise<StoredImage> {
    const object = this.objects.get(key);
    if (!object) return { status: 'absent' };
    if (object.bytes.length > maxBytes) return { status: 'too-large' };
    return { status: 'ok', bytes: object.bytes, contentType: object.contentType, metadata: object.metadata };
  }
  async put(key: string, bytes: Buffer, contentType: string) {
    this.objects.set(key, { bytes, contentType, metadata: {} });
  }
  async deletePrefix(prefix: string) {
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) this.objects.delete(key);
    return keys.length;
  }
}

class RecordingQueue implements WorkQueue {
  readonly sent: unknown[] = [];
  async send(message: unknown) {
    this.sent.push(message);
  }
}

let clock: FakeClock;
let transactions: InMemoryTransactions;
let images: InMemoryImages;
let verifyQueue: RecordingQueue;
let callbackQueue: RecordingQueue;
let deps: PerformNetverifyDeps;
let ids: number;

beforeEach(() => {
  clock = new FakeClock('2018-07-03T08:23:12.494Z');
  transactions = new InMemoryTransactions(clock);
  images = new InMemoryImages();
  verifyQueue = new RecordingQueue();
  callbackQueue = new RecordingQueue();
  ids = 0;
  const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
  deps = { transactions, images, verifyQueue, callbackQueue, clock, newId };
});

function customer(settings: Record<string, unknown> = {}, customerId = 'customer-1'): Customer {
  return {
    customerId,
    name: 'Example Corp',
    settings: CustomerSettings.parse(settings),
    createdAt: '2018-01-01T00:00:00.000Z',
  };
}

function onlyTransaction() {
  expect(transactions.created).toHaveLength(1);
  const [transaction] = transactions.created;
  if (!transaction) throw new Error('nothing stored');
  return transaction;
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map(({ field, rule }) => ({ field, rule }));
}

describe('performNetverify with inline images', () => {
  it('stores the images, creates the scan SUBMITTED from the API, and queues it for the worker', async () => {
    const answer = await performNetverify(
      deps,
      customer(),
      parse({
        ...MINIMAL,
        idType: 'ID_CARD',
        backsideImage: b64(PNG),
        backsideImageMimeType: 'image/png',
        customerId: 'user_1234',
        merchantReportingCriteria: 'myReport1234',
      }),
    );
    expect(answer).toEqual({
      timestamp: '2018-07-03T08:23:12.494Z',
      jumioIdScanReference: expect.stringMatching(UUID),
    });
    const reference = answer.jumioIdScanReference;
    const transaction = onlyTransaction();
    expect(transaction).toMatchObject({
      reference,
      customerId: 'customer-1',
      state: 'SUBMITTED',
      source: 'API',
      document: { country: 'AUT', idType: 'ID_CARD' },
      customerInternalReference: 'scan_1234',
      userReference: 'user_1234',
      reportingCriteria: 'myReport1234',
      submittedAt: answer.timestamp,
      createdAt: answer.timestamp,
    });
    const front = transaction.captures?.front;
    const back = transaction.captures?.back;
    expect(front).toMatchObject({
      contentType: 'image/jpeg',
      source: 'upload',
      acceptedAt: answer.timestamp,
    });
    expect(back).toMatchObject({ contentType: 'image/png', source: 'upload' });
    expect(transaction.captures?.face).toBeUndefined();
    expect(isImageKeyOf(front?.key ?? '', reference, 'front')).toBe(true);
    expect(isImageKeyOf(back?.key ?? '', reference, 'back')).toBe(true);
    expect(images.objects.get(front?.key ?? '')).toMatchObject({ bytes: JPEG, contentType: 'image/jpeg' });
    expect(images.objects.get(back?.key ?? '')).toMatchObject({ bytes: PNG, contentType: 'image/png' });
    expect(verifyQueue.sent).toEqual([{ reference }]);
    // onFinish, the default: the verdict's callback only, queued by the worker.
    expect(callbackQueue.sent).toEqual([]);
  });

  it('onAllSteps: a callback when the images are received, queued with the verification', async () => {
    const { jumioIdScanReference: reference } = await performNetverify(
      deps,
      customer(),
      parse({ ...MINIMAL, callbackGranularity: 'onAllSteps' }),
    );
    expect(callbackQueue.sent).toEqual([{ reference, kind: 'received' }]);
    expect(verifyQueue.sent).toEqual([{ reference }]);
  });

  it('opens no journey: the token is one never issued, already expired', async () => {
    await performNetverify(deps, customer(), parse(MINIMAL));
    const transaction = onlyTransaction();
    expect(transaction.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(transaction.tokenExpiresAt).toBe(clock.now().getTime());
  });

  it('stores an empty customerId when none is sent, which callbacks and retrievals leave out', async () => {
    await performNetverify(deps, customer(), parse(MINIMAL));
    expect(onlyTransaction().userReference).toBe('');
  });

  it("takes the request's callback URL over the settings', and the settings' without one", async () => {
    const settings = { callbackUrl: 'https://settings.example.com/callback' };
    await performNetverify(
      deps,
      customer(settings),
      parse({ ...MINIMAL, callbackUrl: 'https://www.yourcompany.com/cb' }),
    );
    await performNetverify(deps, customer(settings), parse(MINIMAL));
    expect(transactions.created.map((transaction) => transaction.options.callbackUrl)).toEqual([
      'https://www.yourcompany.com/cb',
      'https://settings.example.com/callback',
    ]);
  });

  it('runs as an ID-only upload workflow, and ID + Identity when face match is asked for', async () => {
    await performNetverify(deps, customer(), parse(MINIMAL));
    await performNetverify(
      deps,
      customer(),
      parse({ ...MINIMAL, faceImage: b64(JPEG), enabledFields: 'idFaceMatch' }),
    );
    await performNetverify(deps, customer(), parse({ ...MINIMAL, faceImage: b64(JPEG) }));
    await performNetverify(
      deps,
      customer(),
      parse({ ...MINIMAL, faceImage: b64(JPEG), enabledFields: 'idNumber' }),
    );
    expect(transactions.created.map(({ options }) => [options.workflowId, options.verificationType])).toEqual(
      [
        [102, 'ID_ONLY'],
        [202, 'ID_AND_IDENTITY'],
        [202, 'ID_AND_IDENTITY'],
        [102, 'ID_ONLY'],
      ],
    );
  });

  it('refuses idFaceMatch for an account without Identity Verification, storing nothing', async () => {
    const body = parse({ ...MINIMAL, faceImage: b64(JPEG), enabledFields: 'idFaceMatch' });
    expect(
      await refusal(performNetverify(deps, customer({ identityVerificationEnabled: false }), body)),
    ).toEqual([{ field: 'enabledFields', rule: 'identity-verification-disabled' }]);
    expect(images.objects.size).toBe(0);
    expect(transactions.created).toHaveLength(0);
    expect(verifyQueue.sent).toHaveLength(0);
  });
});

describe('performNetverify with uploaded images', () => {
  const bodyWith = (uploadReference: string, fields: Record<string, unknown> = {}) => {
    const { frontsideImage: _, ...rest } = MINIMAL;
    return parse({ ...rest, uploadReference, ...fields });
  };

  async function issue(sides: ('front' | 'back' | 'face')[], who = customer()) {
    return issuePerformNetverifyUploads(
      { images, clock, newId: deps.newId },
      who,
      PerformNetverifyUploadsRequest.parse({ images: sides.map((classifier) => ({ classifier })) }),
    );
  }

  it('answers a reference and one form per image, pinned to its key, type, size and manifest', async () => {
    const answer = await issue(['front', 'face']);
    expect(answer).toMatchObject({
      timestamp: '2018-07-03T08:23:12.494Z',
      uploadReference: expect.stringMatching(UUID),
      submitBefore: new Date(clock.now().getTime() + UPLOAD_REFERENCE_LIFETIME_SECONDS * 1000).toISOString(),
    });
    expect(answer.images.map((image) => [image.classifier, image.mimeType, image.maxBytes])).toEqual([
      ['front', 'image/jpeg', MAX_UPLOAD_BYTES],
      ['face', 'image/jpeg', MAX_UPLOAD_BYTES],
    ]);
    expect(images.presigned.map((form) => form.key)).toEqual([
      uploadKey(answer.uploadReference, 'front'),
      uploadKey(answer.uploadReference, 'face'),
    ]);
    const [form] = images.presigned;
    expect(readUploadManifest(form?.metadata ?? {})).toEqual({
      customerId: 'customer-1',
      sides: ['front', 'face'],
      submitBefore: answer.submitBefore,
    });
  });

  it('creates the scan under the upload reference, with the uploaded images', async () => {
    const { uploadReference } = await issue(['front', 'back']);
    images.upload(uploadKey(uploadReference, 'front'), JPEG);
    images.upload(uploadKey(uploadReference, 'back'), JPEG);
    const answer = await performNetverify(deps, customer(), bodyWith(uploadReference, { idType: 'ID_CARD' }));
    expect(answer.jumioIdScanReference).toBe(uploadReference);
    expect(onlyTransaction()).toMatchObject({
      reference: uploadReference,
      state: 'SUBMITTED',
      source: 'API',
      captures: {
        front: { key: uploadKey(uploadReference, 'front'), contentType: 'image/jpeg', source: 'upload' },
        back: { key: uploadKey(uploadReference, 'back'), contentType: 'image/jpeg', source: 'upload' },
      },
    });
    expect(verifyQueue.sent).toEqual([{ reference: uploadReference }]);
  });

  it('is used once: a second submission is a conflict', async () => {
    const { uploadReference } = await issue(['front']);
    images.upload(uploadKey(uploadReference, 'front'), JPEG);
    await performNetverify(deps, customer(), bodyWith(uploadReference));
    await expect(performNetverify(deps, customer(), bodyWith(uploadReference))).rejects.toBeInstanceOf(
      Conflict,
    );
    expect(transactions.created).toHaveLength(1);
    expect(verifyQueue.sent).toHaveLength(1);
  });

  it('of two submissions racing, the one whose create fails is a conflict', async () => {
    const { uploadReference } = await issue(['front']);
    images.upload(uploadKey(uploadReference, 'front'), JPEG);
    const create = transactions.create.bind(transactions);
    // The other submission creates the scan between this one's check and its create.
    vi.spyOn(transactions, 'create').mockImplementationOnce(async (transaction) => {
      await create({ ...transaction });
      throw new Error('ConditionalCheckFailed');
    });
    await expect(performNetverify(deps, customer(), bodyWith(uploadReference))).rejects.toBeInstanceOf(
      Conflict,
    );
  });

  it("reads another account's reference as one never issued", async () => {
    const { uploadReference } = await issue(['front'], customer({}, 'customer-2'));
    images.upload(uploadKey(uploadReference, 'front'), JPEG);
    expect(await refusal(performNetverify(deps, customer(), bodyWith(uploadReference)))).toEqual([
      { field: 'uploadReference', rule: 'issued' },
    ]);
    expect(
      await refusal(performNetverify(deps, customer(), bodyWith('7c3e9a2d-6f41-4a57-9d0e-2b1f8c4d5e60'))),
    ).toEqual([{ field: 'uploadReference', rule: 'issued' }]);
    expect(transactions.created).toHaveLength(0);
  });

  it('names each image asked for and not uploaded, too large or not of its type', async () => {
    const { uploadReference } = await issue(['front', 'back', 'face']);
    images.upload(uploadKey(uploadReference, 'front'), JPEG);
    images.upload(uploadKey(uploadReference, 'face'), PNG);
    expect(await refusal(performNetverify(deps, customer(), bodyWith(uploadReference)))).toEqual([
      { field: 'uploadReference', rule: 'uploaded' },
      { field: 'uploadReference', rule: 'image-type' },
    ]);
    images.upload(uploadKey(uploadReference, 'back'), Buffer.alloc(MAX_UPLOAD_BYTES + 1));
    images.upload(uploadKey(uploadReference, 'face'), JPEG);
    expect(await refusal(performNetverify(deps, customer(), bodyWith(uploadReference)))).toEqual([
      { field: 'uploadReference', rule: 'max-size' },
    ]);
    expect(transactions.created).toHaveLength(0);
  });

  it('needs the face in the upload when face match is asked for', async () => {
    const { uploadReference } = await issue(['front']);
    images.upload(uploadKey(uploadReference, 'front'), JPEG);
    expect(
      await refusal(
        performNetverify(deps, customer(), bodyWith(uploadReference, { enabledFields: 'idFaceMatch' })),
      ),
    ).toEqual([{ field: 'uploadReference', rule: 'face-uploaded' }]);
  });

  it('refuses a reference past its time', async () => {
    const { uploadReference } = await issue(['front']);
    images.upload(uploadKey(uploadReference, 'front'), JPEG);
    clock.advance(UPLOAD_REFERENCE_LIFETIME_SECONDS * 1000 + MINUTE);
    expect(await refusal(performNetverify(deps, customer(), bodyWith(uploadReference)))).toEqual([
      { field: 'uploadReference', rule: 'expired' },
    ]);
  });
});

// ── HTTP ────────────────────────────────────────────────────────────────────────────────────────────

describe('the body limit', () => {
  const CUSTOMER = customer();
  const stubAuth: Authenticate = async (credentials) => {
    if (credentials?.apiToken === VALID_TOKEN && credentials.apiSecret === VALID_SECRET) return CUSTOMER;
    throw new Unauthorized('Missing or invalid API credentials.');
  };
  const big = api({
    auth: stubAuth,
    body: PerformNetverifyRequest,
    maxBodyBytes: PERFORM_NETVERIFY_MAX_BODY_BYTES,
    tooLargeHint: 'Use the uploads.',
  }).handle(({ body }) => ({ bytes: body.frontsideImage?.length ?? 0 }));
  const small = api({ auth: stubAuth, body: PerformNetverifyRequest }).handle(() => ({ ok: true }));

  beforeEach(() => {
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  const bodyOf = (imageBytes: number) => {
    const image = Buffer.alloc(imageBytes, 0);
    JPEG.copy(image);
    return JSON.stringify({ ...MINIMAL, frontsideImage: b64(image) });
  };
  const call = async (handler: typeof big, body: string) =>
    parseResponse(
      await handler(apiEvent({ path: '/api/netverify/v2/performNetverify', body }), lambdaContext()),
    );

  it('takes a body of a route over the 16 KB default up to its own limit', async () => {
    expect(MAX_BODY_BYTES).toBe(16 * 1024);
    const response = await call(big, bodyOf(4 * 1024 * 1024));
    expect(response).toMatchObject({ statusCode: 200, body: { bytes: 4 * 1024 * 1024 } });
    expect((await call(small, bodyOf(32 * 1024))).statusCode).toBe(413);
  });

  it('answers 413 naming the limit and the way round it, before checking credentials', async () => {
    const body = bodyOf(4_600_000);
    expect(body.length).toBeGreaterThan(PERFORM_NETVERIFY_MAX_BODY_BYTES);
    const response = parseResponse(
      await big(
        apiEvent({ path: '/api/netverify/v2/performNetverify', body, with: { authorization: undefined } }),
        lambdaContext(),
      ),
    );
    expect(response.statusCode).toBe(413);
    expect(response.body).toEqual({
      error: 'payload_too_large',
      message: `The body must be at most ${PERFORM_NETVERIFY_MAX_BODY_BYTES} bytes. Use the uploads.`,
    });
  });
});

describe('routes and the API document', () => {
  it('has both routes with exactly the grants they use', () => {
    expect(ROUTES.find((route) => route.name === 'performNetverify')).toMatchObject({
      method: 'POST',
      path: '/api/netverify/v2/performNetverify',
      entry: 'functions/api/perform-netverify.ts',
      table: [
        { actions: ['GetItem'], keys: ['CREDENTIAL#', 'CUSTOMER#'] },
        { actions: ['GetItem', 'PutItem'], keys: ['TX#'] },
      ],
      images: { write: true, read: true },
      sends: ['verify', 'callback'],
    });
    expect(ROUTES.find((route) => route.name === 'performNetverifyUploads')).toMatchObject({
      method: 'POST',
      path: '/api/netverify/v2/performNetverify/uploads',
      table: [{ actions: ['GetItem'], keys: ['CREDENTIAL#', 'CUSTOMER#'] }],
      images: { write: true },
    });
  });

  it('documents both, with Basic auth, the 413 and the 409', () => {
    const paths = openApiDocument().paths as Record<string, { post?: Record<string, unknown> }>;
    const submit = paths['/api/netverify/v2/performNetverify']?.post;
    const uploads = paths['/api/netverify/v2/performNetverify/uploads']?.post;
    expect(submit).toMatchObject({ security: [{ basicAuth: [] }] });
    expect(Object.keys(submit?.responses as object)).toEqual(
      expect.arrayContaining(['200', '400', '401', '409', '413']),
    );
    expect(uploads).toMatchObject({ security: [{ basicAuth: [] }] });
  });
});
