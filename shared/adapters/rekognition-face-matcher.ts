import {
  type BoundingBox,
  CompareFacesCommand,
  type CompareFacesCommandOutput,
  DetectFacesCommand,
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type sharpModule from 'sharp';
import type { FaceComparison, FaceMatcher } from '#domain/identity';

/**
 * The AWS face provider: Amazon Rekognition behind the `FaceMatcher` port, in place of the offline
 * engine (shared/adapters/human-face-matcher.ts).
 *
 *   selfie ─▶ DetectFaces: how many people, how large the largest face
 *   selfie + document ─▶ CompareFaces (threshold 0, so every document face gets a score):
 *     the similarity of the largest selfie face (Rekognition picks it) to the largest document face
 *
 * Both images are first EXIF-oriented and re-encoded as JPEG by sharp: Rekognition takes only JPEG
 * and PNG of at most 5 MB as bytes, and the face's width in pixels needs the oriented size. An image
 * sharp cannot decode, or Rekognition refuses (InvalidImageFormat, ImageTooLarge, InvalidParameter,
 * which CompareFaces answers when it finds no face to compare), has no face. Throttling, permissions,
 * credentials, network and service errors are thrown, so the message is retried by the queue.
 *
 * The similarity Rekognition reports (0–100) is divided by 100. It is not on the offline engine's
 * scale: see `REKOGNITION_IDENTITY_THRESHOLDS` in shared/wiring/providers.ts for the thresholds it
 * needs in `identityVerification`.
 */

export interface RekognitionFaceMatcherOptions {
  client: RekognitionClient;
  /** DetectFaces' confidence (0–100) below which a box is not a face; default 90. */
  minFaceConfidence?: number;
}

export const DEFAULT_MIN_FACE_CONFIDENCE = 90;
/** A face narrower than this share of the largest is background or an ID held up, not a person. */
const PROMINENT_FACE_WIDTH_SHARE = 0.5;
/** Rekognition's smallest image side. */
const MIN_SIDE_PX = 80;
/** Rekognition's limit for image bytes in a request. */
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
/** Encodings tried in turn until one fits the request limit: long side, JPEG quality. */
const ENCODINGS = [
  [4096, 90],
  [4096, 75],
  [2048, 85],
  [1280, 80],
] as const;
const MAX_INPUT_PIXELS = 8000 * 8000;

/** Rekognition's answers about the image rather than about the service: nothing to see in it. */
const UNUSABLE_IMAGE = [
  InvalidImageFormatException,
  ImageTooLargeException,
  InvalidParameterException,
] as const;

export function createRekognitionFaceMatcher(options: RekognitionFaceMatcherOptions): FaceMatcher {
  const { client } = options;
  const minConfidence = options.minFaceConfidence ?? DEFAULT_MIN_FACE_CONFIDENCE;

  return {
    async compare(selfie, documentImage) {
      const [source, target] = await Promise.all([prepare(selfie), prepare(documentImage)]);
      const noFace: FaceComparison = { selfieFaces: 0, documentFaces: 0 };
      if (!source) return noFace;

      const detected = await unlessUnusable(() =>
        client.send(new DetectFacesCommand({ Image: { Bytes: source.bytes }, Attributes: ['DEFAULT'] })),
      );
      const faces = (detected?.FaceDetails ?? [])
        .filter((face) => (face.Confidence ?? 0) >= minConfidence)
        .map((face) => face.BoundingBox)
        .filter((box): box is BoundingBox => box !== undefined);
      const largest = largestBox(faces);
      if (!largest) return noFace;

      const width = largest.Width ?? 0;
      const comparison: FaceComparison = {
        selfieFaces: faces.filter((box) => (box.Width ?? 0) >= PROMINENT_FACE_WIDTH_SHARE * width).length,
        documentFaces: 0,
        selfieFaceWidthPx: Math.round(width * source.width),
        selfieFaceShare: Math.min(Math.max(width * (largest.Height ?? 0), 0), 1),
      };
      if (!target) return comparison;

      const compared: CompareFacesCommandOutput | undefined = await unlessUnusable(() =>
        client.send(
          new CompareFacesCommand({
            SourceImage: { Bytes: source.bytes },
            TargetImage: { Bytes: target.bytes },
            // Every document face in FaceMatches with its score: the verdict's threshold is ours.
            SimilarityThreshold: 0,
            QualityFilter: 'NONE',
          }),
        ),
      );
      const matches = compared?.FaceMatches ?? [];
      comparison.documentFaces = matches.length + (compared?.UnmatchedFaces?.length ?? 0);
      const best = matches.reduce<(typeof matches)[number] | undefined>((chosen, match) => {
        if (match.Similarity === undefined || !match.Face?.BoundingBox) return chosen;
        return chosen?.Face?.BoundingBox === undefined ||
          area(match.Face.BoundingBox) > area(chosen.Face.BoundingBox)
          ? match
          : chosen;
      }, undefined);
      if (best?.Similarity !== undefined)
        comparison.similarity = Math.min(Math.max(best.Similarity / 100, 0), 1);
      return comparison;
    },
  };
}

async function unlessUnusable<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (UNUSABLE_IMAGE.some((type) => error instanceof type)) return undefined;
    throw error;
  }
}

const area = (box: BoundingBox) => (box.Width ?? 0) * (box.Height ?? 0);

function largestBox(boxes: BoundingBox[]): BoundingBox | undefined {
  return boxes.reduce<BoundingBox | undefined>(
    (best, box) => (best === undefined || area(box) > area(best) ? box : best),
    undefined,
  );
}

interface Prepared {
  bytes: Buffer;
  /** Width of the oriented original, which the face's width in pixels refers to. */
  width: number;
}

/** EXIF-oriented JPEG within Rekognition's limits, or undefined for what is not a usable image. */
async function prepare(image: Buffer): Promise<Prepared | undefined> {
  // Loaded on first use (not imported): esbuild would hoist the external's import into any bundle.
  const sharp: typeof sharpModule = (await import('sharp')).default;
  const open = () => sharp(image, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).rotate();
  try {
    const { width = 0, height = 0, orientation = 1 } = await open().metadata();
    // EXIF orientations 5–8 turn the image a quarter: width and height swap.
    const [orientedWidth, orientedHeight] = orientation >= 5 ? [height, width] : [width, height];
    if (Math.min(orientedWidth, orientedHeight) < MIN_SIDE_PX) return undefined;
    for (const [side, quality] of ENCODINGS) {
      const bytes = await open()
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality })
        .toBuffer();
      if (bytes.byteLength <= MAX_REQUEST_BYTES) return { bytes, width: orientedWidth };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
