import type { IdScanSource } from './callback.ts';
import { COUNTRIES } from './countries.ts';
import { ID_TYPES, type IdType } from './initiate-request.ts';
import type { VerificationType } from './workflows.ts';
import * as z from './zod.ts';

/**
 * The capture journey's rules: which images a document needs, where an upload may go, how many
 * refused attempts a user gets, and how the capture is named in results. Pure.
 */

export const CAPTURE_SIDES = ['front', 'back', 'face'] as const;
export type CaptureSide = (typeof CAPTURE_SIDES)[number];

export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png'] as const;
export type ImageContentType = (typeof IMAGE_CONTENT_TYPES)[number];

/** The journey's upload limit (seed 000: JPEG and PNG up to 5 MB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** How long a presigned upload stays usable: long enough for a slow phone connection, no more. */
export const UPLOAD_URL_LIFETIME_SECONDS = 300;

/** The third refused attempt ends the journey with error 9835. */
export const MAX_ATTEMPTS = 3;

/** Where an image may be stored: the server chooses the key; one object per capture. */
export const imageKeyPrefix = (reference: string): string => `tx/${reference}/`;
export const imageKey = (reference: string, side: CaptureSide, captureId: string): string =>
  `${imageKeyPrefix(reference)}${side}/${captureId}`;

/** True when `key` is one that `imageKey` made for this transaction and side. */
export function isImageKeyOf(key: string, reference: string, side: CaptureSide): boolean {
  const prefix = `${imageKeyPrefix(reference)}${side}/`;
  return key.startsWith(prefix) && /^[0-9a-f-]{36}$/.test(key.slice(prefix.length));
}

/** The images a document needs: a passport its photo page; an ID card or driving licence both sides. */
export function documentSides(idType: IdType): CaptureSide[] {
  return idType === 'PASSPORT' ? ['front'] : ['front', 'back'];
}

/** The images a submission needs: the document's, and a selfie for ID + Identity. */
export function requiredSides(idType: IdType, verificationType: VerificationType): CaptureSide[] {
  const sides = documentSides(idType);
  return verificationType === 'ID_AND_IDENTITY' ? [...sides, 'face'] : sides;
}

/** Netverify's `idScanSource` (shared/domain/callback.ts holds the list). */
export type ScanSource = IdScanSource;

export type CaptureSource = 'camera' | 'upload';

/**
 * Netverify's `idScanSource`: `WEB…` when the journey ran embedded, `REDIRECT…` as a page of its
 * own; `_CAM` or `_UPLOAD` when every document image came one way, neither when they were mixed.
 */
export function scanSource(embedded: boolean, sources: readonly CaptureSource[]): ScanSource {
  const base = embedded ? 'WEB' : 'REDIRECT';
  if (sources.length > 0 && sources.every((source) => source === 'camera')) return `${base}_CAM`;
  if (sources.length > 0 && sources.every((source) => source === 'upload')) return `${base}_UPLOAD`;
  return base;
}

/**
 * The `idScanSource` of a submission: where the journey ran and how each of the document's images
 * came (the selfie's way does not count).
 */
export function submissionSource(
  embedded: boolean,
  idType: IdType,
  captures: Partial<Record<CaptureSide, { source: CaptureSource }>> | undefined,
): ScanSource {
  return scanSource(
    embedded,
    documentSides(idType).flatMap((side) => captures?.[side]?.source ?? []),
  );
}

/** A document the journey offers: a country and the types accepted for it. */
export interface AcceptedDocument {
  country: string;
  region: string;
  types: IdType[];
}

/**
 * Every supported country with every type: the catalogue that a customer's accepted IDs narrow
 * (shared/domain/accepted-ids.ts).
 */
export const ALL_DOCUMENTS: readonly AcceptedDocument[] = COUNTRIES.map(({ country, region }) => ({
  country,
  region,
  types: [...ID_TYPES],
}));

export const UploadRequest = z
  .object({
    side: z.enum(CAPTURE_SIDES),
    contentType: z.enum(IMAGE_CONTENT_TYPES),
    size: z.int().check(z.minimum(1), z.maximum(MAX_UPLOAD_BYTES)),
    source: z.enum(['camera', 'upload']),
  })
  .register(z.globalRegistry, { id: 'UploadRequest' });
export type UploadRequest = z.output<typeof UploadRequest>;

export const CaptureRequest = z
  .object({ side: z.enum(CAPTURE_SIDES), key: z.string().check(z.maxLength(200)) })
  .register(z.globalRegistry, { id: 'CaptureRequest' });
export type CaptureRequest = z.output<typeof CaptureRequest>;

export const SubmitRequest = z
  .object({ country: z.string().check(z.length(3)), idType: z.enum(ID_TYPES), embedded: z.boolean() })
  .register(z.globalRegistry, { id: 'SubmitRequest' });
export type SubmitRequest = z.output<typeof SubmitRequest>;
