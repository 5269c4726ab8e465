import { isCountryCode } from './countries.ts';
import { optional, redirectUrl, reference } from './fields.ts';
import { sniffImageFormat } from './image-rules.ts';
import { ID_TYPES, type IdType } from './initiate-request.ts';
import {
  CAPTURE_SIDES,
  type CaptureSide,
  IMAGE_CONTENT_TYPES,
  type ImageContentType,
  imageKey,
  MAX_UPLOAD_BYTES,
} from './journey.ts';
import type { WorkflowId } from './workflows.ts';
import * as z from './zod.ts';

/**
 * performNetverify (Netverify's performNetverify guide): a server sends the document images itself,
 * with no hosted journey, and gets a scan reference at once; the verdict comes by callback.
 *
 * A Lambda function's request is capped at 6 MB, less than three 5 MB images in base64 (about 20 MB),
 * so there are two ways to send the images:
 * - inline, base64 in the JSON body, for a body of up to PERFORM_NETVERIFY_MAX_BODY_BYTES;
 * - uploaded: `POST …/performNetverify/uploads` answers an `uploadReference` and a presigned POST per
 *   image, then `POST …/performNetverify` names the `uploadReference` instead of the image fields.
 *
 * The upload reference needs no record of its own: it becomes the scan's reference, its images sit
 * where the scan's images live (under keys derived from it), and each object carries, pinned by the
 * presigned policy, the account it was issued to, the images asked for and the time by which it must
 * be submitted. Creating the transaction under it is a conditional write, so it is used once.
 */

/** Lambda's 6 MB (6,291,456 bytes) synchronous request cap, less room for the event's headers and escaping. */
export const PERFORM_NETVERIFY_MAX_BODY_BYTES = 6_000_000;

export const UPLOADS_PATH = '/api/netverify/v2/performNetverify/uploads';

export const BODY_TOO_LARGE_HINT = `Base64 inflates images by a third: send images whose base64 does not fit with POST ${UPLOADS_PATH} (presigned uploads), then POST /api/netverify/v2/performNetverify with its uploadReference.`;

/** How long an upload reference may be submitted after it was issued. */
export const UPLOAD_REFERENCE_LIFETIME_SECONDS = 60 * 60;

/** The guide's idType values. VISA is refused until the journey's types and the worker know it. */
export const API_ID_TYPES = [...ID_TYPES, 'VISA'] as const;

/** The guide's enabledFields values: what the scan extracts and reports. */
export const ENABLED_FIELDS = [
  'idNumber',
  'idFirstName',
  'idLastName',
  'idDob',
  'idExpiry',
  'idUsState',
  'idPersonalNumber',
  'idFaceMatch',
  'idAddress',
] as const;
export type EnabledField = (typeof ENABLED_FIELDS)[number];

export const CALLBACK_GRANULARITIES = ['onFinish', 'onAllSteps'] as const;

/** The image fields of the body and the side each fills. */
export const IMAGE_FIELDS = [
  { side: 'front', image: 'frontsideImage', mimeType: 'frontsideImageMimeType' },
  { side: 'back', image: 'backsideImage', mimeType: 'backsideImageMimeType' },
  { side: 'face', image: 'faceImage', mimeType: 'faceImageMimeType' },
] as const satisfies ReadonlyArray<{ side: CaptureSide; image: string; mimeType: string }>;

export const DEFAULT_MIME_TYPE: ImageContentType = 'image/jpeg';

const rule = (name: string) => ({ params: { rule: name } });

// ── Fields ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * The decoded size of standard base64 (RFC 4648 §4), or undefined when the text is not base64.
 * Padding may be left out; CR and LF are skipped, because MIME encoders (Java's getMimeEncoder,
 * older commons-codec) wrap lines. One pass without copies: the text can be 6 MB.
 */
export function base64DecodedLength(value: string): number | undefined {
  let symbols = 0;
  let padding = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x0a || code === 0x0d) continue;
    if (code === 0x3d) {
      padding++;
      if (padding > 2) return undefined;
      continue;
    }
    const inAlphabet =
      (code >= 0x41 && code <= 0x5a) || // A-Z
      (code >= 0x61 && code <= 0x7a) || // a-z
      (code >= 0x30 && code <= 0x39) || // 0-9
      code === 0x2b || // +
      code === 0x2f; // /
    if (!inAlphabet || padding > 0) return undefined;
    symbols++;
  }
  if (padding > 0 ? (symbols + padding) % 4 !== 0 : symbols % 4 === 1) return undefined;
  return Math.floor((symbols * 3) / 4);
}

const maxMegabytes = `${MAX_UPLOAD_BYTES / (1024 * 1024)} MB`;

/** A base64 image of at most 5 MB decoded, given back decoded. */
function base64Image(description: string) {
  return z
    .pipe(
      z.string().check(
        z.superRefine((value, ctx) => {
          const length = base64DecodedLength(value);
          if (length === undefined) {
            ctx.addIssue({
              code: 'custom',
              message: 'must be base64 (RFC 4648, standard alphabet), without a data: URL prefix',
              params: { rule: 'base64' },
            });
          } else if (length === 0) {
            ctx.addIssue({ code: 'custom', message: 'must not be empty', params: { rule: 'not-empty' } });
          } else if (length > MAX_UPLOAD_BYTES) {
            ctx.addIssue({
              code: 'custom',
              message: `must decode to at most ${MAX_UPLOAD_BYTES} bytes (${maxMegabytes}); this one is ${length}`,
              params: { rule: 'max-size' },
            });
          }
        }),
      ),
      z.transform((value: string) => Buffer.from(value, 'base64')),
    )
    .check(
      z.meta({
        description: `${description} Base64; at most ${maxMegabytes} decoded and under 8,000 pixels a side.`,
        format: 'byte',
      }),
    );
}

const mimeType = (side: string) =>
  optional(z.enum(IMAGE_CONTENT_TYPES)).check(
    z.meta({ description: `Type of the ${side} image; image/jpeg when absent.`, example: 'image/jpeg' }),
  );

/** Printable text the integrator knows about the holder (names, numbers). It is personal data by nature. */
function holderText(maxLength: number) {
  return z.string().check(
    z.minLength(1, { abort: true }),
    z.maxLength(maxLength, { abort: true }),
    z.refine((value) => value.isWellFormed() && !/\p{Cc}/u.test(value), {
      message: 'must be printable, well-formed text',
      ...rule('printable'),
    }),
  );
}

/** YYYY-MM-DD, a day that exists. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const calendarDate = z
  .string()
  .check(
    z.refine(isCalendarDate, { message: 'must be a date written YYYY-MM-DD', ...rule('date') }),
    z.meta({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', example: '1990-01-31' }),
  );

const country = z.string().check(
  z.maxLength(3, { abort: true }),
  z.refine(isCountryCode, {
    message: 'must be an ISO 3166-1 alpha-3 country code or XKX',
    ...rule('country-code'),
  }),
  z.meta({ pattern: '^[A-Z]{3}$', example: 'AUT' }),
);

const idType = z
  .pipe(
    z.enum(API_ID_TYPES).check(
      z.refine((value) => value !== 'VISA', {
        message: 'VISA is not verified yet: send PASSPORT, DRIVING_LICENSE or ID_CARD',
        ...rule('supported-id-type'),
      }),
    ),
    z.transform((value) => value as IdType),
  )
  .check(
    z.meta({
      description: 'PASSPORT, DRIVING_LICENSE or ID_CARD. VISA, in the Netverify list, is refused for now.',
      example: 'PASSPORT',
    }),
  );

/** The enabled fields' names, from the guide's comma list (spaces around names allowed). */
export function enabledFieldNames(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

const enabledFields = z
  .pipe(
    z.string().check(
      z.maxLength(100, { abort: true }),
      z.superRefine((value, ctx) => {
        const unknown = enabledFieldNames(value).filter(
          (name) => !(ENABLED_FIELDS as readonly string[]).includes(name),
        );
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `names ${unknown.join(', ')}: the fields are ${ENABLED_FIELDS.join(', ')}`,
            params: { rule: 'one-of' },
          });
        }
      }),
    ),
    z.transform((value: string) => enabledFieldNames(value) as EnabledField[]),
  )
  .check(
    z.meta({
      description: `Comma list of the fields to extract, of ${ENABLED_FIELDS.join(', ')}. idFaceMatch matches faceImage against the document's portrait and makes faceImage required.`,
      example: 'idNumber,idFirstName,idLastName,idDob,idExpiry',
    }),
  );

// ── The request ─────────────────────────────────────────────────────────────────────────────────────

/** The guide's sample request, with a real-looking reference: the OpenAPI example. */
export const SAMPLE_PERFORM_NETVERIFY_REQUEST = {
  merchantIdScanReference: 'scan_1234',
  frontsideImage: '/9j/4AAQSkZJRgABAQ…',
  country: 'AUT',
  idType: 'PASSPORT',
} as const;

const hasValue = (record: Record<string, unknown>, key: string) =>
  record[key] !== undefined && record[key] !== null;

export const PerformNetverifyRequest = z
  .strictObject({
    merchantIdScanReference: reference(100).check(
      z.meta({ description: 'Your reference for the scan. No PII.', example: 'scan_1234' }),
    ),
    frontsideImage: optional(base64Image('The document’s front side (a passport’s photo page).')),
    backsideImage: optional(base64Image('The document’s back side.')),
    faceImage: optional(
      base64Image('A photo of the holder’s face; required when enabledFields includes idFaceMatch.'),
    ),
    frontsideImageMimeType: mimeType('front side'),
    backsideImageMimeType: mimeType('back side'),
    faceImageMimeType: mimeType('face'),
    uploadReference: optional(
      z.uuid({ error: 'must be an uploadReference answered by POST …/performNetverify/uploads' }),
    ).check(
      z.meta({
        description: `Instead of the image fields: the images uploaded after POST ${UPLOADS_PATH}. Used once.`,
      }),
    ),
    country,
    idType,
    enabledFields: optional(enabledFields),
    merchantReportingCriteria: optional(reference(100)).check(z.meta({ example: 'myReport1234' })),
    customerId: optional(reference(100)).check(
      z.meta({ description: 'Your reference for the holder. No PII.', example: 'user_1234' }),
    ),
    callbackUrl: optional(redirectUrl(255)).check(
      z.meta({
        description: 'HTTPS URL that receives the verification result; overrides the portal setting.',
        example: 'https://www.yourcompany.com/callback',
      }),
    ),
    firstName: optional(holderText(100)),
    lastName: optional(holderText(100)),
    usState: optional(holderText(100)).check(
      z.meta({ description: 'A US state (two letters) or a country, as the guide lists.' }),
    ),
    expiry: optional(calendarDate),
    dob: optional(calendarDate),
    number: optional(holderText(100)),
    personalNumber: optional(holderText(14)),
    callbackGranularity: optional(z.enum(CALLBACK_GRANULARITIES)).check(
      z.meta({
        description:
          'onFinish (default): one callback with the verdict. onAllSteps: also one when the images are received (idScanStatus PENDING, webhook-id msg_received_<reference>), before the verdict as a rule; not guaranteed to arrive first.',
      }),
    ),
  })
  .check(
    // Which images the body brings: checked even when other fields fail, so every problem is named.
    z.superRefine(
      (body, ctx) => {
        const record = body as Record<string, unknown>;
        if (hasValue(record, 'uploadReference')) {
          for (const { image, mimeType } of IMAGE_FIELDS) {
            for (const field of [image, mimeType]) {
              if (!hasValue(record, field)) continue;
              ctx.addIssue({
                code: 'custom',
                path: [field],
                message: 'must be left out with uploadReference: its images were uploaded',
                params: { rule: 'upload-reference-exclusive' },
              });
            }
          }
        } else if (!hasValue(record, 'frontsideImage')) {
          ctx.addIssue({
            code: 'custom',
            path: ['frontsideImage'],
            message: `is required (or uploadReference, for images uploaded with POST ${UPLOADS_PATH})`,
            params: { rule: 'required' },
          });
        }
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
    // Zod runs this after field issues that do not abort (its refinements'), so it reads only the
    // values that parsed: decoded images, the enabled fields' list.
    z.superRefine((body, ctx) => {
      for (const { image, mimeType } of IMAGE_FIELDS) {
        const bytes: unknown = body[image];
        if (!(bytes instanceof Uint8Array)) continue;
        const problem = imageTypeProblem(bytes, body[mimeType] ?? DEFAULT_MIME_TYPE, mimeType);
        if (problem)
          ctx.addIssue({ code: 'custom', path: [image], message: problem, params: { rule: 'image-type' } });
      }
      const fields: unknown = body.enabledFields;
      if (
        Array.isArray(fields) &&
        fields.includes('idFaceMatch') &&
        !body.faceImage &&
        !body.uploadReference
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['faceImage'],
          message: 'is required when enabledFields includes idFaceMatch',
          params: { rule: 'required' },
        });
      }
    }),
  )
  .register(z.globalRegistry, {
    id: 'PerformNetverifyRequest',
    description: `Either frontsideImage (and backsideImage, faceImage) in base64, in a body of at most ${PERFORM_NETVERIFY_MAX_BODY_BYTES} bytes, or uploadReference.`,
    example: SAMPLE_PERFORM_NETVERIFY_REQUEST,
  });
export type PerformNetverifyRequest = z.output<typeof PerformNetverifyRequest>;

/**
 * Why the bytes are not the image the field's type says, or undefined. The worker would refuse them
 * too (NOT_AN_IMAGE), but a field error now says what to change.
 */
export function imageTypeProblem(
  bytes: Uint8Array,
  declared: ImageContentType,
  typeField: string,
): string | undefined {
  const real = sniffImageFormat(bytes);
  if (!real) return 'must be a JPEG or PNG image';
  const realType: ImageContentType = real === 'png' ? 'image/png' : 'image/jpeg';
  if (realType === declared) return undefined;
  return `is a ${real.toUpperCase()} image, not ${declared}: set ${typeField} to ${realType}`;
}

/**
 * Face match runs when enabledFields lists idFaceMatch; without enabledFields, when a face image was
 * sent (the integrator sent it to be matched).
 */
export function faceMatchRequested(
  fields: readonly EnabledField[] | undefined,
  sides: readonly CaptureSide[],
): boolean {
  return fields ? fields.includes('idFaceMatch') : sides.includes('face');
}

/** The workflow the scan runs as: its images were uploaded, with or without the identity check. */
export const apiWorkflowId = (identity: boolean): WorkflowId => (identity ? 202 : 102);

export const PerformNetverifyResponse = z
  .object({
    timestamp: z
      .string()
      .check(z.meta({ description: 'UTC, YYYY-MM-DDThh:mm:ss.SSSZ', example: '2017-08-16T10:37:44.623Z' })),
    jumioIdScanReference: z.uuid().check(z.meta({ example: '7c3e9a2d-6f41-4a57-9d0e-2b1f8c4d5e60' })),
  })
  .register(z.globalRegistry, { id: 'PerformNetverifyResponse' });
export type PerformNetverifyResponse = z.output<typeof PerformNetverifyResponse>;

// ── Uploads ─────────────────────────────────────────────────────────────────────────────────────────

export const PerformNetverifyUploadsRequest = z
  .strictObject({
    images: z
      .array(
        z.strictObject({
          classifier: z.enum(CAPTURE_SIDES),
          mimeType: z._default(z.enum(IMAGE_CONTENT_TYPES), DEFAULT_MIME_TYPE),
        }),
      )
      .check(
        z.minLength(1),
        z.maxLength(CAPTURE_SIDES.length),
        z.refine((images) => new Set(images.map((image) => image.classifier)).size === images.length, {
          message: 'must not repeat a classifier',
          ...rule('unique-classifier'),
        }),
        z.refine((images) => images.some((image) => image.classifier === 'front'), {
          message: 'must include the front image (frontsideImage is required)',
          ...rule('front-required'),
        }),
      ),
  })
  .register(z.globalRegistry, {
    id: 'PerformNetverifyUploadsRequest',
    example: { images: [{ classifier: 'front', mimeType: 'image/jpeg' }] },
  });
export type PerformNetverifyUploadsRequest = z.output<typeof PerformNetverifyUploadsRequest>;

export const PerformNetverifyUploadsResponse = z
  .object({
    timestamp: z.string(),
    uploadReference: z.uuid().check(
      z.meta({
        description: 'Send as uploadReference to performNetverify; it becomes the scan reference.',
      }),
    ),
    submitBefore: z.string().check(z.meta({ description: 'UTC; the reference is refused after it.' })),
    images: z.array(
      z.object({
        classifier: z.enum(CAPTURE_SIDES),
        mimeType: z.enum(IMAGE_CONTENT_TYPES),
        url: z.string().check(z.meta({ description: 'POST a multipart/form-data form here.' })),
        fields: z
          .record(z.string(), z.string())
          .check(
            z.meta({ description: 'The form fields, in this order, before the file field (named file).' }),
          ),
        maxBytes: z.number(),
        expiresAt: z.string().check(z.meta({ description: 'UTC; the form is refused after it.' })),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'PerformNetverifyUploadsResponse' });
export type PerformNetverifyUploadsResponse = z.output<typeof PerformNetverifyUploadsResponse>;

/** Where an uploaded image of the reference lives: one key per side, among the scan's images. */
export const uploadKey = (uploadReference: string, side: CaptureSide): string =>
  imageKey(uploadReference, side, uploadReference);

/** What each uploaded object carries (S3 user metadata, pinned by the presigned policy). */
export interface UploadManifest {
  customerId: string;
  sides: CaptureSide[];
  /** ISO-8601 UTC. */
  submitBefore: string;
}

export function uploadMetadata(manifest: UploadManifest): Record<string, string> {
  return {
    customer: manifest.customerId,
    images: manifest.sides.join(','),
    'submit-before': manifest.submitBefore,
  };
}

/** The manifest an object carries, or undefined when it carries none (it was not uploaded this way). */
export function readUploadManifest(metadata: Record<string, string>): UploadManifest | undefined {
  const { customer, images, 'submit-before': submitBefore } = metadata;
  if (!customer || !images || !submitBefore || Number.isNaN(Date.parse(submitBefore))) return undefined;
  const sides = images.split(',');
  if (!sides.every((side): side is CaptureSide => (CAPTURE_SIDES as readonly string[]).includes(side))) {
    return undefined;
  }
  return { customerId: customer, sides, submitBefore };
}
