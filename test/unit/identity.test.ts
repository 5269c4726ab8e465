import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY_THRESHOLDS, type FaceComparison, identityVerification } from '#domain/identity';

const selfie = { selfieFaces: 1, documentFaces: 1, selfieFaceWidthPx: 400, selfieFaceShare: 0.2 };
const verdict = (comparison: FaceComparison) => identityVerification(comparison, DEFAULT_IDENTITY_THRESHOLDS);

describe('identityVerification', () => {
  it('matches from the threshold up, and reports the score in percent', () => {
    expect(verdict({ ...selfie, similarity: 0.5 })).toEqual({
      identityVerification: { similarity: 'MATCH', validity: true },
      faceMatch: 50,
    });
    expect(verdict({ ...selfie, similarity: 0.49 })).toEqual({
      identityVerification: { similarity: 'NO_MATCH', validity: true },
      faceMatch: 49,
    });
  });

  it('has no face to judge without a selfie face, and says so', () => {
    expect(verdict({ selfieFaces: 0, documentFaces: 1 })).toEqual({
      identityVerification: { similarity: 'NOT_POSSIBLE', validity: false, reason: 'NO_FACE_PRESENT' },
    });
  });

  it('refuses a selfie with several people', () => {
    expect(verdict({ ...selfie, selfieFaces: 2, similarity: 0.9 }).identityVerification).toEqual({
      similarity: 'NOT_POSSIBLE',
      validity: false,
      reason: 'MULTIPLE_PEOPLE',
    });
  });

  it('refuses a selfie face too small to describe', () => {
    expect(verdict({ ...selfie, selfieFaceWidthPx: 40, similarity: 0.7 }).identityVerification).toEqual({
      similarity: 'NOT_POSSIBLE',
      validity: false,
      reason: 'BAD_QUALITY',
    });
  });

  it('keeps a good selfie valid when the document has no face to compare with', () => {
    expect(verdict({ ...selfie, documentFaces: 0 })).toEqual({
      identityVerification: { similarity: 'NOT_POSSIBLE', validity: true },
    });
  });

  it('flags the document portrait reused as the selfie: cut out, or the whole ID photographed', () => {
    expect(verdict({ ...selfie, similarity: 0.97 })).toEqual({
      identityVerification: { similarity: 'MATCH', validity: false, reason: 'SELFIE_CROPPED_FROM_ID' },
      faceMatch: 97,
    });
    expect(verdict({ ...selfie, selfieFaceShare: 0.01, similarity: 1 }).identityVerification).toEqual({
      similarity: 'MATCH',
      validity: false,
      reason: 'ENTIRE_ID_USED_AS_SELFIE',
    });
  });

  it('clamps a score outside 0–1 and treats a non-number as no comparison', () => {
    expect(verdict({ ...selfie, similarity: -0.2 }).faceMatch).toBe(0);
    expect(verdict({ ...selfie, similarity: Number.NaN }).identityVerification.similarity).toBe(
      'NOT_POSSIBLE',
    );
  });

  it('uses the library-recommended threshold by default', () => {
    expect(identityVerification({ ...selfie, similarity: 0.5 }).identityVerification.similarity).toBe(
      'MATCH',
    );
  });
});
