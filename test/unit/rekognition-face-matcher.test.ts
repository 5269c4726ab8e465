import {
  CompareFacesCommand,
  type CompareFacesCommandOutput,
  DetectFacesCommand,
  type DetectFacesCommandOutput,
  type FaceDetail,
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
  RekognitionClient,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import sharp from 'sharp';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRekognitionFaceMatcher } from '#adapters/rekognition-face-matcher';
import { identityVerification } from '#domain/identity';
import { REKOGNITION_IDENTITY_THRESHOLDS } from '#shared/wiring/providers';

/**
 * The Rekognition provider against a mocked SDK client: the requests it sends (JPEG bytes within
 * Rekognition's limits, a similarity threshold of 0 so every document face is scored) and how
 * DetectFaces and CompareFaces answers, in the shapes AWS documents (bounding boxes as ratios of the
 * image, similarity 0–100), become a FaceComparison.
 */

const rekognition = mockClient(RekognitionClient);
beforeEach(() => rekognition.reset());

const matcher = createRekognitionFaceMatcher({ client: new RekognitionClient({ region: 'eu-west-1' }) });

let selfie: Buffer;
let card: Buffer;
beforeAll(async () => {
  selfie = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#b08060' } })
    .png()
    .toBuffer();
  card = await sharp({ create: { width: 1010, height: 638, channels: 3, background: '#eef2f6' } })
    .jpeg()
    .toBuffer();
});

const face = (width: number, height: number, confidence = 99.9, left = 0.3, top = 0.2): FaceDetail => ({
  BoundingBox: { Width: width, Height: height, Left: left, Top: top },
  Confidence: confidence,
  Landmarks: [{ Type: 'eyeLeft', X: left + width * 0.3, Y: top + height * 0.4 }],
  Pose: { Roll: 1.2, Yaw: -3.4, Pitch: 2.1 },
  Quality: { Brightness: 80.1, Sharpness: 92.3 },
});

const detected = (...faces: FaceDetail[]): DetectFacesCommandOutput => ({
  $metadata: { httpStatusCode: 200 },
  FaceDetails: faces,
});

const compared = (
  matches: { similarity: number; width: number; height: number }[],
  unmatched = 0,
): CompareFacesCommandOutput => ({
  $metadata: { httpStatusCode: 200 },
  SourceImageFace: { BoundingBox: { Width: 0.35, Height: 0.5, Left: 0.3, Top: 0.2 }, Confidence: 99.9 },
  FaceMatches: matches.map(({ similarity, width, height }) => ({
    Similarity: similarity,
    Face: { ...face(width, height), Confidence: 99.8 },
  })),
  UnmatchedFaces: Array.from({ length: unmatched }, () => face(0.05, 0.08)),
});

const isJpeg = (bytes: unknown) => Buffer.isBuffer(bytes) && bytes[0] === 0xff && bytes[1] === 0xd8;

describe('Rekognition face matcher', () => {
  it("scores the selfie against the document's largest face and measures the selfie's face", async () => {
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    // An ID card's portrait and its small ghost portrait; the ghost scores higher, the portrait counts.
    rekognition.on(CompareFacesCommand).resolves(
      compared([
        { similarity: 99.87, width: 0.06, height: 0.1 },
        { similarity: 98.41, width: 0.22, height: 0.45 },
      ]),
    );
    expect(await matcher.compare(selfie, card)).toEqual({
      selfieFaces: 1,
      documentFaces: 2,
      similarity: 0.9841,
      selfieFaceWidthPx: 224, // 0.35 × 640
      selfieFaceShare: 0.175,
    });
  });

  it('sends JPEG bytes, the same selfie to both calls, and a similarity threshold of 0', async () => {
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    rekognition.on(CompareFacesCommand).resolves(compared([{ similarity: 12.5, width: 0.2, height: 0.4 }]));
    await matcher.compare(selfie, card);
    const detect = rekognition.commandCalls(DetectFacesCommand)[0]?.args[0].input;
    const compare = rekognition.commandCalls(CompareFacesCommand)[0]?.args[0].input;
    expect(detect?.Attributes).toEqual(['DEFAULT']);
    expect(isJpeg(detect?.Image?.Bytes)).toBe(true);
    expect(compare).toMatchObject({ SimilarityThreshold: 0, QualityFilter: 'NONE' });
    expect(compare?.SourceImage?.Bytes).toEqual(detect?.Image?.Bytes);
    expect(isJpeg(compare?.TargetImage?.Bytes)).toBe(true);
    const target = await sharp(Buffer.from(compare?.TargetImage?.Bytes ?? [])).metadata();
    expect([target.width, target.height]).toEqual([1010, 638]);
  });

  it('counts the people in front of the camera: faces at least half as wide as the largest, and sure', async () => {
    rekognition
      .on(DetectFacesCommand)
      .resolves(
        detected(
          face(0.3, 0.45),
          face(0.2, 0.3, 99.5, 0.6),
          face(0.08, 0.12, 99.9, 0.05),
          face(0.25, 0.3, 41.2, 0.7),
        ),
      );
    rekognition.on(CompareFacesCommand).resolves(compared([{ similarity: 97, width: 0.2, height: 0.4 }]));
    const comparison = await matcher.compare(selfie, card);
    expect(comparison.selfieFaces).toBe(2);
    expect(identityVerification(comparison, REKOGNITION_IDENTITY_THRESHOLDS).identityVerification).toEqual({
      similarity: 'NOT_POSSIBLE',
      validity: false,
      reason: 'MULTIPLE_PEOPLE',
    });
  });

  it('finds no face on a selfie without one, and does not ask CompareFaces', async () => {
    rekognition.on(DetectFacesCommand).resolves(detected());
    expect(await matcher.compare(selfie, card)).toEqual({ selfieFaces: 0, documentFaces: 0 });
    expect(rekognition.commandCalls(CompareFacesCommand)).toHaveLength(0);
  });

  it('has no similarity when the document shows no face', async () => {
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    rekognition.on(CompareFacesCommand).resolves(compared([]));
    const comparison = await matcher.compare(selfie, card);
    expect(comparison).toMatchObject({ selfieFaces: 1, documentFaces: 0 });
    expect(comparison.similarity).toBeUndefined();
    expect(identityVerification(comparison, REKOGNITION_IDENTITY_THRESHOLDS).identityVerification).toEqual({
      similarity: 'NOT_POSSIBLE',
      validity: true,
    });
  });

  it('counts unmatched document faces too (a threshold above 0 would put them there)', async () => {
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    rekognition
      .on(CompareFacesCommand)
      .resolves(compared([{ similarity: 99.1, width: 0.2, height: 0.4 }], 1));
    expect((await matcher.compare(selfie, card)).documentFaces).toBe(2);
  });

  it.each([
    [
      'InvalidImageFormatException',
      new InvalidImageFormatException({ message: 'bad format', $metadata: {} }),
    ],
    ['ImageTooLargeException', new ImageTooLargeException({ message: 'too large', $metadata: {} })],
    ['InvalidParameterException', new InvalidParameterException({ message: 'no face', $metadata: {} })],
  ])('reads %s as no face, without throwing', async (_name, error) => {
    rekognition.on(DetectFacesCommand).rejects(error);
    expect(await matcher.compare(selfie, card)).toEqual({ selfieFaces: 0, documentFaces: 0 });

    rekognition.reset();
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    rekognition.on(CompareFacesCommand).rejects(error);
    const comparison = await matcher.compare(selfie, card);
    expect(comparison).toMatchObject({ selfieFaces: 1, documentFaces: 0 });
    expect(comparison.similarity).toBeUndefined();
  });

  it('sends nothing for a selfie that is not an image, and no comparison for such a document', async () => {
    const notAnImage = Buffer.from('definitely not a JPEG');
    expect(await matcher.compare(notAnImage, card)).toEqual({ selfieFaces: 0, documentFaces: 0 });
    expect(rekognition.calls()).toHaveLength(0);

    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    const truncated = card.subarray(0, card.byteLength / 2);
    expect(await matcher.compare(selfie, truncated)).toMatchObject({ selfieFaces: 1, documentFaces: 0 });
    expect(rekognition.commandCalls(CompareFacesCommand)).toHaveLength(0);
  });

  it("measures the face in the selfie's upright pixels (EXIF orientation applied before sending)", async () => {
    const sideways = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#a07050' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.5, 0.4)));
    rekognition.on(CompareFacesCommand).resolves(compared([]));
    const comparison = await matcher.compare(sideways, card);
    expect(comparison.selfieFaceWidthPx).toBe(240); // 0.5 × 480, the upright width
    const sent = rekognition.commandCalls(DetectFacesCommand)[0]?.args[0].input.Image?.Bytes;
    const upright = await sharp(Buffer.from(sent ?? [])).metadata();
    expect([upright.width, upright.height]).toEqual([480, 640]);
  });

  it("keeps a large photo within Rekognition's 5 MB", async () => {
    const noise = Buffer.alloc(3000 * 3000 * 3);
    for (let index = 0; index < noise.length; index++) noise[index] = (index * 2654435761) >>> 24;
    const big = await sharp(noise, { raw: { width: 3000, height: 3000, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    rekognition.on(DetectFacesCommand).resolves(detected());
    await matcher.compare(big, card);
    const sent = rekognition.commandCalls(DetectFacesCommand)[0]?.args[0].input.Image?.Bytes;
    expect(sent?.byteLength).toBeLessThanOrEqual(5 * 1024 * 1024);
  });

  it('throws on throttling and on credentials, so that the queue retries the message', async () => {
    const throttled = new ThrottlingException({ message: 'slow down', $metadata: {} });
    rekognition.on(DetectFacesCommand).rejects(throttled);
    await expect(matcher.compare(selfie, card)).rejects.toBe(throttled);

    rekognition.reset();
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    rekognition.on(CompareFacesCommand).rejects(credentials);
    await expect(matcher.compare(selfie, card)).rejects.toBe(credentials);
  });

  it("decides with Rekognition's own thresholds: a genuine 99+ is a match, not a copy of the portrait", async () => {
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    rekognition
      .on(CompareFacesCommand)
      .resolves(compared([{ similarity: 99.62, width: 0.22, height: 0.45 }]));
    expect(
      identityVerification(await matcher.compare(selfie, card), REKOGNITION_IDENTITY_THRESHOLDS),
    ).toEqual({
      identityVerification: { similarity: 'MATCH', validity: true },
      faceMatch: 100,
    });

    rekognition.reset();
    rekognition.on(DetectFacesCommand).resolves(detected(face(0.35, 0.5)));
    rekognition.on(CompareFacesCommand).resolves(compared([{ similarity: 91.3, width: 0.22, height: 0.45 }]));
    expect(
      identityVerification(await matcher.compare(selfie, card), REKOGNITION_IDENTITY_THRESHOLDS),
    ).toEqual({
      identityVerification: { similarity: 'NO_MATCH', validity: true },
      faceMatch: 91,
    });
  });
});
