import type { IdentityVerification } from './callback.ts';

/**
 * Identity (the worker's step 5): is the person on the selfie the one on the document? The engine
 * behind `FaceMatcher` measures; `identityVerification` decides. Pure.
 *
 * How the default thresholds were chosen, and what is and is not known about the accuracy: see
 * `DEFAULT_IDENTITY_THRESHOLDS` below and test/integration/face-matcher.test.ts.
 */

/** What a face engine measured on a selfie and a document image. */
export interface FaceComparison {
  /** Faces of people in front of the camera: faces at least half the width of the largest one. */
  selfieFaces: number;
  /** Faces on the document image (an ID card's small second "ghost" portrait counts too). */
  documentFaces: number;
  /** 0–1, the largest selfie face against the largest document face; absent without both faces. */
  similarity?: number;
  /** Width of the largest selfie face, in the selfie's own pixels. */
  selfieFaceWidthPx?: number;
  /** Share of the selfie's area that the largest face's box covers, 0–1. */
  selfieFaceShare?: number;
}

/** The port. Never throws for a bad image (it has 0 faces); throws only when the engine cannot run. */
export interface FaceMatcher {
  compare(selfie: Buffer, documentImage: Buffer): Promise<FaceComparison>;
}

export interface IdentityThresholds {
  /** Similarity (0–1) from which the faces are the same person. */
  match: number;
  /**
   * Similarity from which the selfie is the document's own portrait photographed or cut out again:
   * a new photo of a live person does not come this close to an older portrait.
   */
  sameSource: number;
  /** A selfie face narrower than this many pixels is too small to describe. */
  minSelfieFaceWidthPx: number;
  /** With a same-source similarity: a selfie face this small a share of the frame is a whole ID. */
  wholeDocumentFaceShare: number;
}

/**
 * For @vladmandic/human 3.3.6 (FaceRes descriptors, `human.match.similarity` with its defaults).
 *
 * - `match` 0.5 is the library's own recommendation (its `match.similarity` is normalised so that
 *   "above 0.5 can be considered a match"). Measured on real photographs (`bench/face-accuracy.ts`;
 *   deepface's test set, 61 press photos of 13 people, 280 genuine and 3,380 impostor pairs; the
 *   document either the other photo or that photo printed grey on a simulated ID card at JPEG 55):
 *   at 0.5, 56–59% of genuine pairs match and 0.15–0.36% of impostor pairs do (95% upper bound
 *   0.62%); 0.45 would take the first to 71% and triple the second, 0.55 halve both. The equal
 *   error rate is 6–7% at 0.36. So the value stands: a MATCH is strong, a NO_MATCH is often a
 *   genuine user (about 4 in 10) and is for review, not fraud; the score is published as
 *   `faceMatch` for the customer to apply their own. 21 people say nothing below about 0.1% false
 *   matches, nor about demographic groups, look-alikes or presentation attacks (there is no
 *   liveness check).
 * - `sameSource` 0.9: the same photo flipped, greyed, rotated 10°, rescaled or JPEG-compressed to
 *   quality 30 scored 0.92–1.0 against itself; two different photos of the same person never passed
 *   0.83 (nor did two different people, 0.82); on the real photographs no genuine pair passed 0.76. It catches near-copies only: the same photo cropped
 *   and printed small on a generated card scored 0.82, under it; a whole card photographed, 1.0.
 * - `minSelfieFaceWidthPx` 64: below it the detector still finds faces but the descriptor (224-px
 *   input) is mostly upscaling blur.
 * - `wholeDocumentFaceShare` 0.04: a portrait on an ID card filling a selfie frame covers about
 *   1–3% of it; a selfie's face covers 10–40%.
 */
export const DEFAULT_IDENTITY_THRESHOLDS: IdentityThresholds = {
  match: 0.5,
  sameSource: 0.9,
  minSelfieFaceWidthPx: 64,
  wholeDocumentFaceShare: 0.04,
};

export interface IdentityResult {
  identityVerification: IdentityVerification;
  /** 0–100, the similarity in percent; absent when no comparison could be made. */
  faceMatch?: number;
}

/** Netverify's identityVerification and faceMatch from what the engine measured. */
export function identityVerification(
  comparison: FaceComparison,
  thresholds: IdentityThresholds = DEFAULT_IDENTITY_THRESHOLDS,
): IdentityResult {
  const invalid = (reason: NonNullable<IdentityVerification['reason']>): IdentityResult => ({
    identityVerification: { similarity: 'NOT_POSSIBLE', validity: false, reason },
  });
  if (comparison.selfieFaces === 0) return invalid('NO_FACE_PRESENT');
  if (comparison.selfieFaces > 1) return invalid('MULTIPLE_PEOPLE');
  if (
    comparison.selfieFaceWidthPx !== undefined &&
    comparison.selfieFaceWidthPx < thresholds.minSelfieFaceWidthPx
  ) {
    return invalid('BAD_QUALITY');
  }

  const { similarity } = comparison;
  // No face to compare with on the document: the selfie may be fine, the comparison is not possible.
  if (similarity === undefined || !Number.isFinite(similarity) || comparison.documentFaces === 0) {
    return { identityVerification: { similarity: 'NOT_POSSIBLE', validity: true } };
  }
  const score = Math.min(Math.max(similarity, 0), 1);
  const faceMatch = Math.round(score * 100);
  const verdict = score >= thresholds.match ? 'MATCH' : 'NO_MATCH';
  if (score >= thresholds.sameSource) {
    const wholeDocument =
      comparison.selfieFaceShare !== undefined &&
      comparison.selfieFaceShare < thresholds.wholeDocumentFaceShare;
    return {
      identityVerification: {
        similarity: verdict,
        validity: false,
        reason: wholeDocument ? 'ENTIRE_ID_USED_AS_SELFIE' : 'SELFIE_CROPPED_FROM_ID',
      },
      faceMatch,
    };
  }
  return { identityVerification: { similarity: verdict, validity: true }, faceMatch };
}
