import { randomBytes } from 'node:crypto';
import { acceptedIdIssue } from '#domain/accepted-ids';
import type { Customer } from '#domain/customer';
import { Conflict, type FieldIssue, ValidationError } from '#domain/errors';
import type { CaptureSide, ImageContentType } from '#domain/journey';
import {
  IMAGE_CONTENT_TYPES,
  imageKey,
  MAX_UPLOAD_BYTES,
  UPLOAD_URL_LIFETIME_SECONDS,
} from '#domain/journey';
import {
  apiWorkflowId,
  DEFAULT_MIME_TYPE,
  faceMatchRequested,
  IMAGE_FIELDS,
  imageTypeProblem,
  type PerformNetverifyRequest,
  type PerformNetverifyResponse,
  type PerformNetverifyUploadsRequest,
  type PerformNetverifyUploadsResponse,
  readUploadManifest,
  UPLOAD_REFERENCE_LIFETIME_SECONDS,
  uploadKey,
  uploadMetadata,
} from '#domain/perform-netverify';
import { sha256 } from '#domain/secrets';
import { resolveOptions } from '#domain/settings';
import type { Capture, Transaction } from '#domain/transaction';
import type { CallbackMessage } from './deliver-callback.ts';
import type { Clock, ImageStore, TransactionRepository, WorkQueue } from './ports.ts';

/**
 * performNetverify: the images arrive from the integrator's server (inline, or uploaded beforehand),
 * the transaction is created already SUBMITTED and queued for the verification worker, and the scan
 * reference is answered at once. No journey: no token is issued, the record is never INITIATED.
 */

export interface PerformNetverifyDeps {
  transactions: TransactionRepository;
  images: ImageStore;
  /** The verify queue: the worker (use-cases/verify.ts) reads the transaction's document and captures. */
  verifyQueue: WorkQueue;
  /** The callback queue: `callbackGranularity=onAllSteps` adds a callback when the images are received. */
  callbackQueue: WorkQueue;
  clock: Clock;
  newId: () => string;
}

/** An image of the scan, stored (or to be stored) under `key`. */
interface ScanImage {
  side: CaptureSide;
  key: string;
  contentType: ImageContentType;
}

export async function performNetverify(
  deps: PerformNetverifyDeps,
  customer: Customer,
  request: PerformNetverifyRequest,
): Promise<PerformNetverifyResponse> {
  const now = deps.clock.now();
  // Before anything is read or stored: a document the account does not accept is refused at once.
  const notAccepted = acceptedIdIssue(customer.settings.acceptedIds, request.country, request.idType);
  if (notAccepted) throw new ValidationError([notAccepted]);
  const upload =
    request.uploadReference !== undefined
      ? await uploadedImages(deps, customer, request.uploadReference, now)
      : undefined;
  const sides = upload
    ? upload.images.map((image) => image.side)
    : IMAGE_FIELDS.filter(({ image }) => request[image] !== undefined).map(({ side }) => side);

  const faceMatch = faceMatchRequested(request.enabledFields, sides);
  if (faceMatch && !sides.includes('face')) {
    // Only an upload can get here: the schema already asks for faceImage when it is inline.
    throw new ValidationError([
      {
        field: 'uploadReference',
        rule: 'face-uploaded',
        message: 'enabledFields includes idFaceMatch: the upload must include the face image',
      },
    ]);
  }
  const identity = faceMatch && customer.settings.identityVerificationEnabled;
  if (faceMatch && !identity && request.enabledFields !== undefined) {
    throw new ValidationError([
      {
        field: 'enabledFields',
        rule: 'identity-verification-disabled',
        message: 'idFaceMatch needs Identity Verification to be enabled for this account',
      },
    ]);
  }
  const options = resolveOptions(customer.settings, {
    customerInternalReference: request.merchantIdScanReference,
    userReference: request.customerId ?? '',
    workflowId: apiWorkflowId(identity),
    ...(request.callbackUrl !== undefined ? { callbackUrl: request.callbackUrl } : {}),
  });

  // Stored only once the request is known to be good, so that a refusal leaves no image behind.
  const { reference, images } = upload ?? (await storeInlineImages(deps, request));
  const at = now.toISOString();
  const transaction: Transaction = {
    reference,
    customerId: customer.customerId,
    state: 'SUBMITTED',
    createdAt: at,
    customerInternalReference: request.merchantIdScanReference,
    // Netverify's customerId is optional here; empty, the callback and the retrieval API leave it out.
    userReference: request.customerId ?? '',
    ...(request.merchantReportingCriteria !== undefined
      ? { reportingCriteria: request.merchantReportingCriteria }
      : {}),
    options,
    // No journey: the hash of a token never issued, already expired, so no session can open.
    tokenHash: sha256(randomBytes(32).toString('base64url')),
    tokenExpiresAt: now.getTime(),
    captures: Object.fromEntries(
      images.map((image): [CaptureSide, Capture] => [
        image.side,
        { key: image.key, contentType: image.contentType, source: 'upload', acceptedAt: at },
      ]),
    ),
    firstAttemptAt: at,
    document: { country: request.country, idType: request.idType },
    source: 'API',
    submittedAt: at,
  };
  await createOnce(deps, transaction);
  // Both go out together; the verification is the one that matters (and the drop-off job sends it
  // again should this send fail). The images-received callback normally arrives before the verdict,
  // but a receiver must not count on the order: a failed attempt of it is retried after.
  await Promise.all([
    deps.verifyQueue.send({ reference }),
    request.callbackGranularity === 'onAllSteps'
      ? deps.callbackQueue.send({ reference, kind: 'received' } satisfies CallbackMessage)
      : undefined,
  ]);
  return { timestamp: at, jumioIdScanReference: reference };
}

/** Stores the body's images under keys of a new reference. */
async function storeInlineImages(
  deps: PerformNetverifyDeps,
  request: PerformNetverifyRequest,
): Promise<{ reference: string; images: ScanImage[] }> {
  const reference = deps.newId();
  const images = await Promise.all(
    IMAGE_FIELDS.flatMap(({ side, image, mimeType }) => {
      const bytes = request[image];
      if (bytes === undefined) return [];
      const stored: ScanImage = {
        side,
        key: imageKey(reference, side, deps.newId()),
        contentType: request[mimeType] ?? DEFAULT_MIME_TYPE,
      };
      return [deps.images.put(stored.key, bytes, stored.contentType).then(() => stored)];
    }),
  );
  return { reference, images };
}

const notIssued = (): FieldIssue => ({
  field: 'uploadReference',
  rule: 'issued',
  message:
    'names no upload of this account: its front image was not uploaded, or the reference is not one answered to you',
});

/**
 * The images uploaded under an upload reference, checked: issued to this account, not past its time,
 * every image it asked for present, of the type it was issued for, within the size limit.
 */
async function uploadedImages(
  deps: PerformNetverifyDeps,
  customer: Customer,
  reference: string,
  now: Date,
): Promise<{ reference: string; images: ScanImage[] }> {
  const front = await deps.images.get(uploadKey(reference, 'front'), MAX_UPLOAD_BYTES);
  if (front.status === 'too-large') {
    // S3's policy refuses it; the local S3 server does not.
    throw new ValidationError([
      {
        field: 'uploadReference',
        rule: 'max-size',
        message: `the front image is larger than ${MAX_UPLOAD_BYTES} bytes`,
      },
    ]);
  }
  const manifest = front.status === 'ok' ? readUploadManifest(front.metadata) : undefined;
  // Another account's reference reads exactly as one never issued.
  if (manifest === undefined || manifest.customerId !== customer.customerId) {
    throw new ValidationError([notIssued()]);
  }
  if (Date.parse(manifest.submitBefore) <= now.getTime()) {
    throw new ValidationError([
      {
        field: 'uploadReference',
        rule: 'expired',
        message: `had to be submitted before ${manifest.submitBefore}; ask for a new one`,
      },
    ]);
  }
  if ((await deps.transactions.get(reference)) !== undefined) throw alreadySubmitted(reference);

  const issues: FieldIssue[] = [];
  const images: ScanImage[] = [];
  for (const side of manifest.sides) {
    const key = uploadKey(reference, side);
    const stored = side === 'front' ? front : await deps.images.get(key, MAX_UPLOAD_BYTES);
    const issue = (rule: string, message: string) =>
      issues.push({ field: 'uploadReference', rule, message: `the ${side} image ${message}` });
    if (stored.status === 'absent') {
      issue('uploaded', 'was asked for but has not been uploaded');
      continue;
    }
    if (stored.status === 'too-large') {
      // S3's policy refuses it; the local S3 server does not.
      issue('max-size', `is larger than ${MAX_UPLOAD_BYTES} bytes`);
      continue;
    }
    const contentType = IMAGE_CONTENT_TYPES.find((type) => type === stored.contentType);
    if (contentType === undefined || stored.metadata.customer !== customer.customerId) {
      issue('uploaded', 'was not uploaded with the form answered for it');
      continue;
    }
    const problem = imageTypeProblem(stored.bytes, contentType, 'its mimeType');
    if (problem) {
      issue('image-type', problem);
      continue;
    }
    images.push({ side, key, contentType });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { reference, images };
}

const alreadySubmitted = (reference: string) =>
  new Conflict(`This uploadReference has already been submitted: its scan is ${reference}.`);

/**
 * The store's create is a conditional write, so of two submissions of one upload reference only one
 * creates the scan. Its error does not say why it failed; a scan there now means the other won.
 */
async function createOnce(deps: PerformNetverifyDeps, transaction: Transaction): Promise<void> {
  try {
    await deps.transactions.create(transaction);
  } catch (error) {
    if ((await deps.transactions.get(transaction.reference)) !== undefined) {
      throw alreadySubmitted(transaction.reference);
    }
    throw error;
  }
}

export interface PerformNetverifyUploadsDeps {
  images: ImageStore;
  clock: Clock;
  newId: () => string;
}

/**
 * Presigned uploads for a scan's images: one POST form per image, each pinned to its key, type, size
 * and the manifest (account, images, deadline) that performNetverify checks.
 */
export async function issuePerformNetverifyUploads(
  deps: PerformNetverifyUploadsDeps,
  customer: Customer,
  request: PerformNetverifyUploadsRequest,
): Promise<PerformNetverifyUploadsResponse> {
  const now = deps.clock.now();
  const reference = deps.newId();
  const submitBefore = new Date(now.getTime() + UPLOAD_REFERENCE_LIFETIME_SECONDS * 1000).toISOString();
  const expiresAt = new Date(now.getTime() + UPLOAD_URL_LIFETIME_SECONDS * 1000).toISOString();
  const metadata = uploadMetadata({
    customerId: customer.customerId,
    sides: request.images.map((image) => image.classifier),
    submitBefore,
  });
  const images = await Promise.all(
    request.images.map(async ({ classifier, mimeType }) => {
      const { url, fields } = await deps.images.presignUpload({
        key: uploadKey(reference, classifier),
        contentType: mimeType,
        maxBytes: MAX_UPLOAD_BYTES,
        expiresInSeconds: UPLOAD_URL_LIFETIME_SECONDS,
        metadata,
      });
      return { classifier, mimeType, url, fields, maxBytes: MAX_UPLOAD_BYTES, expiresAt };
    }),
  );
  return { timestamp: now.toISOString(), uploadReference: reference, submitBefore, images };
}
