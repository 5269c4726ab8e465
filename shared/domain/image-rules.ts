/**
 * What an uploaded image must be before the engine reads it (intake), and whether a person could read
 * it at all (usability): the limits, the thresholds and the verdict. Pure: the sharp adapter
 * (shared/adapters/sharp-image-inspector.ts) measures, this module decides.
 *
 * The usability thresholds were read off `node bench/usability-calibration.ts`, which sweeps each
 * degradation of a generated document photo (test/support/usability-images.ts) and prints the metrics;
 * each threshold sits between the last variant a person still reads and the first one they cannot.
 * They are calibrated on synthetic images: re-run the sweep, and revisit them, when real captures exist.
 */

// ---------------------------------------------------------------------------------------------------
// Intake limits

/** JPEG and PNG only, as Netverify accepts (`…MimeType`: `image/jpeg` default, `image/png`). */
export const IMAGE_FORMATS = ['jpeg', 'png'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
};

/** Netverify's limit per image (performNetverify and the journey's upload). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Netverify's limit: under 8,000 pixels per side, so 7,999 is the largest accepted side. */
export const MAX_SIDE_PX = 7_999;

/**
 * Decoding cap, checked against the header before a pixel is decoded: 48 MP (the largest phone
 * sensors that fit under the side limit) at 3 bytes a pixel is about 150 MB, what a 1 GB Lambda can
 * spare. A decompression bomb (a tiny file claiming 20,000 × 20,000) is refused here.
 */
export const MAX_INPUT_PIXELS = 48_000_000;

/**
 * The normalised image's long side: enough for an ID-1 card filling half the frame to keep its MRZ
 * characters around 20 px high, and it bounds the work of every later step.
 */
export const NORMALISED_LONG_SIDE_PX = 4_000;

/** Quality of the re-encoded JPEG every later step reads. */
export const NORMALISED_JPEG_QUALITY = 90;

/**
 * Minimum short side. A document photo under 640 px cannot hold a legible MRZ (an ID-1 card filling
 * the frame gets characters under 10 px high); a selfie needs less, a face only.
 */
export const MIN_SHORT_SIDE_PX: Readonly<Record<ImageKind, number>> = {
  document: 640,
  selfie: 480,
};

/** Intake does not know the kind yet, so it refuses only what no kind accepts. */
export const MIN_INTAKE_SHORT_SIDE_PX = Math.min(MIN_SHORT_SIDE_PX.document, MIN_SHORT_SIDE_PX.selfie);

// ---------------------------------------------------------------------------------------------------
// Usability thresholds (measured on a grey copy of the image downscaled to ANALYSIS_LONG_SIDE_PX)

/**
 * Every usability metric is measured at this long side, so a threshold means the same thing for a
 * 1 MP upload and a 12 MP photo, and a 12 MP photo is judged in tens of milliseconds. JPEG
 * shrink-on-load makes the decode at this size cheap.
 */
export const ANALYSIS_LONG_SIDE_PX = 1_024;

/**
 * Sharpness: the variance of the Laplacian inside the document (the frame for a selfie) divided by
 * the grey-level variance there, so that a dim or flat but sharp photo is not called blurred.
 * Calibration (defocus sweep, σ in px of a 1,600-px frame, the MRZ read by tesseract's legacy
 * engine): σ ≤ 2 measures ≥ 0.119 and reads as well as a sharp card (88–92% of MRZ characters);
 * σ = 2.5 measures 0.053 and reading drops to 80%, σ = 3 to 58%. Noise lifts a blurred photo's
 * value, the more so the flatter it is (σ = 4 with noise 8: 0.088; σ = 4 at contrast ×0.3: 0.102),
 * so the threshold sits just under the last good value rather than halfway.
 */
export const MIN_SHARPNESS = 0.11;

/** A pixel at or above this grey level is saturated: the sensor clipped, the print under it is lost. */
export const GLARE_LEVEL = 250;

/**
 * Glare: the largest connected patch of saturated pixels, as a share of the document (of the frame
 * for a selfie). A clean card measures ≤ 0.0005 (specks of noise); the glare sweep measures 0.0015,
 * 0.006, 0.014, 0.024, 0.038 for spots of radius 2, 4, 6, 8, 10% of the card's width. Whatever a
 * saturated patch covers is lost, so the limit is a judgement, not a reading: 1% of an ID-1 card is a
 * disc about 7.7 mm across, a whole field value or three MRZ characters; below it a spot costs a
 * character or two, which the check digits and the cross-checks catch.
 */
export const MAX_GLARE_SHARE = 0.01;

/**
 * Share of the region clipped at GLARE_LEVEL above which the photo is overexposed rather than glared:
 * the largest glare spot swept (radius 30% of the card) clips 0.32 of it, a card 1.4× overexposed
 * clips 0.70 (its print survives, its background and security printing do not).
 */
export const MAX_CLIPPED_SHARE = 0.5;

/**
 * Mean grey level of the document below which the photo is too dark. The exposure sweep measures 204
 * for a correct exposure, 50 at ×0.25 and 41 at ×0.2. Tesseract still reads the generated MRZ at
 * ×0.15, because the generator's noise does not grow with the gain as a phone's does (a phone
 * reaches a dark frame by raising its ISO, four times the gain for two stops under); the limit
 * refuses more than two stops under: ×0.2 and darker.
 */
export const MIN_BRIGHTNESS = 45;

/**
 * With no document found, a frame darker than this is called too dark rather than empty: it could
 * hide one. An empty dark table, correctly exposed, measures 39; the card scene at ×0.05 measures 4
 * (its card is no longer found; at ×0.1 it is, at a mean of 20).
 */
export const MIN_FRAME_BRIGHTNESS = 20;

/**
 * Mean grey level above which the photo is too bright; a guard for selfies and pale documents, since
 * an overexposed card is caught first by MAX_CLIPPED_SHARE (×1.4 measures 231, ×2.5 240).
 */
export const MAX_BRIGHTNESS = 240;

/**
 * Standard deviation of the document's grey levels below which the photo is too flat: 57 for a clean
 * card, 14.1 at contrast ×0.25 and 11.4 at ×0.2 (haze, a dirty lens, flat light); as with exposure,
 * OCR of the noise-light generated card does not mark the line, so it is set to refuse ×0.2 and
 * flatter, where the print is within 40 grey levels of the card.
 */
export const MIN_CONTRAST = 12;

/**
 * Document present: a region of distinct tone, close to a rectangle at any angle, covering at least
 * this share of the frame. The generated card covers 0.22; 0.08 is a card whose width is about a
 * third of the frame's, below which its MRZ is under 10 px high in a 1,600-px photo.
 */
export const MIN_DOCUMENT_SHARE = 0.08;

/**
 * How close to a rectangle: the region's area (holes filled) over the smallest enclosing rectangle's.
 * The card measures 0.95–1.0 at every angle from 0° to 45°, 0.88 under the largest glare spot; a
 * blob or a torn region of the background measures far less (0.63 for a washed-out frame).
 */
export const MIN_DOCUMENT_RECTANGULARITY = 0.8;

/**
 * The region's mean grey level must differ from the rest of the frame's by this much. An empty table
 * measures 0.7–1.6 (plain, blurred, brightened, noisy); the faintest card swept (contrast ×0.08)
 * 13.4, a clean one 160.
 */
export const MIN_DOCUMENT_SEPARATION = 8;

// ---------------------------------------------------------------------------------------------------
// Verdict

export type ImageKind = 'document' | 'selfie';

export type UnusableReason =
  /** Undecodable, truncated, not a JPEG or PNG, or not the type it was declared as. */
  | 'NOT_AN_IMAGE'
  /** Over the byte limit, the side limit or the decoding cap. */
  | 'TOO_LARGE'
  /** Under the minimum resolution. */
  | 'TOO_SMALL'
  | 'BLURRED'
  | 'GLARE'
  /** Too dark, too bright or too flat. */
  | 'BAD_QUALITY'
  | 'NO_DOCUMENT';

export interface DocumentRegion {
  /** Share of the frame the region covers, holes filled (0–1). */
  share: number;
  /** The region's area (holes filled) over its bounding box's area (0–1). */
  rectangularity: number;
  /** Difference of mean grey level between the region and the rest of the frame (0–255). */
  separation: number;
}

export interface ImageMetrics {
  width: number;
  height: number;
  /** Mean grey level of the region judged (the document when found, else the frame), 0–255. */
  brightness: number;
  /** Standard deviation of the region's grey levels, 0–255. */
  contrast: number;
  /** Share of the region judged at or above GLARE_LEVEL, 0–1. */
  clipped: number;
  /** Energy of the Laplacian over energy of the gradient on the region judged (falls as 1/σ² with blur). */
  sharpness: number;
  /** Largest connected saturated patch as a share of the region judged, 0–1. */
  glare: number;
  /** The best document candidate; absent for a selfie, `null` when nothing looked like one. */
  document?: DocumentRegion | null;
}

export type Usability =
  | { usable: true; metrics: ImageMetrics }
  | { usable: false; reason: UnusableReason; metrics?: ImageMetrics };

/** Whether a candidate region counts as a document in the frame. */
export function isDocumentRegion(region: DocumentRegion | null | undefined): region is DocumentRegion {
  return (
    region != null &&
    region.share >= MIN_DOCUMENT_SHARE &&
    region.rectangularity >= MIN_DOCUMENT_RECTANGULARITY &&
    region.separation >= MIN_DOCUMENT_SEPARATION
  );
}

/**
 * The verdict from the measurements, each judged on the document's region when one is found (the
 * frame otherwise). The order matters: resolution first (nothing else is reliable on a thumbnail);
 * then whether a document is there at all (unless the frame is black or blown out, which hides it);
 * exposure before glare and blur, since a dark or flat photo also looks blurred; glare before blur,
 * because a glare patch flattens the edges the sharpness measure reads.
 */
export function judgeUsability(metrics: ImageMetrics, kind: ImageKind): Usability {
  const unusable = (reason: UnusableReason): Usability => ({ usable: false, reason, metrics });
  if (Math.min(metrics.width, metrics.height) < MIN_SHORT_SIDE_PX[kind]) return unusable('TOO_SMALL');
  if (Math.max(metrics.width, metrics.height) > MAX_SIDE_PX) return unusable('TOO_LARGE');
  const badLight =
    metrics.brightness < MIN_BRIGHTNESS ||
    metrics.brightness > MAX_BRIGHTNESS ||
    metrics.clipped > MAX_CLIPPED_SHARE;
  if (kind === 'document' && !isDocumentRegion(metrics.document)) {
    // The metrics are then the frame's. An empty table is dark and flat too, so only a black or
    // blown-out frame, which could hide a document, is called bad quality.
    const hidden =
      metrics.brightness < MIN_FRAME_BRIGHTNESS ||
      metrics.brightness > MAX_BRIGHTNESS ||
      metrics.clipped > MAX_CLIPPED_SHARE;
    return unusable(hidden ? 'BAD_QUALITY' : 'NO_DOCUMENT');
  }
  if (badLight || metrics.contrast < MIN_CONTRAST) return unusable('BAD_QUALITY');
  if (metrics.glare > MAX_GLARE_SHARE) return unusable('GLARE');
  if (metrics.sharpness < MIN_SHARPNESS) return unusable('BLURRED');
  return { usable: true, metrics };
}

// ---------------------------------------------------------------------------------------------------
// Reject reasons (REFERENCE.md: 200 NOT_READABLE_DOCUMENT with details 2001–2006, 201 NO_DOCUMENT)

export type UsabilityDetail =
  | { detailsCode: '2001'; detailsDescription: 'BLURRED' }
  | { detailsCode: '2002'; detailsDescription: 'BAD_QUALITY' }
  | { detailsCode: '2006'; detailsDescription: 'GLARE' };

export type UsabilityRejectReason =
  | {
      rejectReasonCode: '200';
      rejectReasonDescription: 'NOT_READABLE_DOCUMENT';
      rejectReasonDetails?: [UsabilityDetail];
    }
  | { rejectReasonCode: '201'; rejectReasonDescription: 'NO_DOCUMENT' };

const notReadable = (detail?: UsabilityDetail): UsabilityRejectReason =>
  detail
    ? {
        rejectReasonCode: '200',
        rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
        rejectReasonDetails: [detail],
      }
    : { rejectReasonCode: '200', rejectReasonDescription: 'NOT_READABLE_DOCUMENT' };

/**
 * The Netverify reject reason for an unusable image. A file that is not an image, or is too large or
 * too small to read, is a document that could not be read (200) with no detail, since none of
 * Netverify's details (blur, quality, glare, missing or hidden part, damage) describes it; a low
 * resolution is bad quality.
 */
export function rejectReasonOf(reason: UnusableReason): UsabilityRejectReason {
  switch (reason) {
    case 'BLURRED':
      return notReadable({ detailsCode: '2001', detailsDescription: 'BLURRED' });
    case 'GLARE':
      return notReadable({ detailsCode: '2006', detailsDescription: 'GLARE' });
    case 'BAD_QUALITY':
    case 'TOO_SMALL':
      return notReadable({ detailsCode: '2002', detailsDescription: 'BAD_QUALITY' });
    case 'NO_DOCUMENT':
      return { rejectReasonCode: '201', rejectReasonDescription: 'NO_DOCUMENT' };
    case 'NOT_AN_IMAGE':
    case 'TOO_LARGE':
      return notReadable();
  }
}

// ---------------------------------------------------------------------------------------------------
// Type sniffing (never trust a declared type alone)

/** The real format from the file's first bytes, or `undefined` when it is neither JPEG nor PNG. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((byte, i) => bytes[i] === byte)) return 'png';
  return undefined;
}

/**
 * The format a declared content type names: `image/jpeg` (and the common misspelling `image/jpg`,
 * which browsers and SDKs still send) or `image/png`, parameters and case ignored.
 */
export function declaredImageFormat(contentType: string): ImageFormat | undefined {
  const essence = contentType.split(';')[0]?.trim().toLowerCase();
  if (essence === 'image/jpeg' || essence === 'image/jpg' || essence === 'image/pjpeg') return 'jpeg';
  if (essence === 'image/png') return 'png';
  return undefined;
}
