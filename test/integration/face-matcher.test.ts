import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHumanFaceMatcher } from '#adapters/human-face-matcher';
import { identityVerification } from '#domain/identity';
import {
  blankPhoto,
  cardOnTable,
  cardWithPortrait,
  faceCell,
  OTHER_PEOPLE,
  SAME_PERSON,
  twoPeople,
} from '../support/face-images.ts';

/**
 * The real models (human 3.3.6 on the WASM backend) on the only real faces available offline: the
 * thumbnails of human's demo screenshot (see test/support/face-images.ts). These check that the
 * pipeline runs, ranks and never throws; they are not an accuracy benchmark.
 *
 * Accuracy as measured (all 18 photos of one person against each other: 136 genuine pairs; against
 * 93 other people: 1,411 impostor pairs; ~90-px faces enlarged 3×; 2 vCPU x86):
 *   threshold   0.40   0.45   0.50   0.55   0.60   0.65
 *   false match 29%    19%    12%    7%     4%     2%
 *   false non-  19%    38%    52%    68%    82%    93%
 *   match
 * Genuine pairs: median 0.48, max 0.83. Impostor pairs: median 0.32, 95th percentile 0.58, max 0.82.
 * The same photo against itself flipped, greyed, rotated 10°, halved, doubled or at JPEG quality 30:
 * 0.92–1.0. On faces this small the descriptor separates poorly; what it does on a real selfie against
 * a real ID portrait is not known. human's `demo/facematch/faces.json` holds 40 descriptors of 36
 * people, but its 5 same-person pairs score 0.14–0.66 against impostors up to 0.90: they come from an
 * older model or pipeline and were not used.
 *
 * Time (benchmarks, not asserted): init 0.2–0.5 s (WASM compile and three models); one image 0.2–0.3 s
 * (p95 0.6 s); a comparison 0.4–0.7 s.
 */

const matcher = createHumanFaceMatcher();

beforeAll(async () => {
  const started = performance.now();
  await matcher.ready();
  console.info(`face matcher init: ${Math.round(performance.now() - started)} ms`);
}, 60_000);

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.info(`${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

describe('the human face matcher', () => {
  it('matches two different photos of one person, the document one printed on a card', async () => {
    const comparison = await timed('compare', async () =>
      matcher.compare(await faceCell(1), await cardWithPortrait(await faceCell(9))),
    );
    expect(comparison).toMatchObject({ selfieFaces: 1, documentFaces: 1 });
    expect(identityVerification(comparison).identityVerification).toEqual({
      similarity: 'MATCH',
      validity: true,
    });
  });

  it('does not match another person', async () => {
    const comparison = await matcher.compare(await faceCell(1), await cardWithPortrait(await faceCell(30)));
    expect(comparison.documentFaces).toBe(1);
    expect(identityVerification(comparison).identityVerification.similarity).toBe('NO_MATCH');
  });

  it('ranks the same person above others on average', async () => {
    const describe = async (cell: number) =>
      (await matcher.describe(await faceCell(cell))).largest?.embedding;
    const [reference, ...same] = await Promise.all(SAME_PERSON.slice(0, 6).map(describe));
    const others = await Promise.all(OTHER_PEOPLE.slice(0, 12).map(describe));
    const mean = async (embeddings: (number[] | undefined)[]) => {
      const scores = await Promise.all(
        embeddings.flatMap((embedding) =>
          embedding && reference ? [matcher.similarity(reference, embedding)] : [],
        ),
      );
      expect(scores.length).toBeGreaterThan(2);
      return scores.reduce((sum, score) => sum + score, 0) / scores.length;
    };
    const [genuine, impostor] = [await mean(same), await mean(others)];
    console.info(`mean similarity: same person ${genuine.toFixed(2)}, others ${impostor.toFixed(2)}`);
    expect(genuine).toBeGreaterThan(impostor + 0.1);
  });

  it('scores the same photo, flipped, rescaled and recompressed, as the same face', async () => {
    const photo = await faceCell(1);
    const variants = [
      await sharp(photo).flop().toBuffer(),
      await sharp(photo).resize(1600).toBuffer(),
      await sharp(photo).resize(200).toBuffer(),
      await sharp(photo).jpeg({ quality: 30 }).toBuffer(),
    ];
    for (const variant of variants) {
      const comparison = await matcher.compare(variant, photo);
      expect(comparison.similarity).toBeGreaterThanOrEqual(0.9);
      expect(identityVerification(comparison).identityVerification).toMatchObject({
        similarity: 'MATCH',
        validity: false,
      });
    }
  });

  it('sees a photographed ID used as the selfie', async () => {
    const card = await cardWithPortrait(await faceCell(1));
    const comparison = await matcher.compare(await cardOnTable(card), card);
    expect(identityVerification(comparison).identityVerification).toEqual({
      similarity: 'MATCH',
      validity: false,
      reason: 'ENTIRE_ID_USED_AS_SELFIE',
    });
  });

  it('counts two people on a selfie', async () => {
    const selfie = await twoPeople(await faceCell(1), await faceCell(42));
    const comparison = await matcher.compare(selfie, await cardWithPortrait(await faceCell(9)));
    expect(comparison.selfieFaces).toBe(2);
    expect(identityVerification(comparison).identityVerification.reason).toBe('MULTIPLE_PEOPLE');
  });

  it('finds no face on a blank, a broken, an empty or a tiny image, and never throws', async () => {
    const document = await cardWithPortrait(await faceCell(9));
    const onePixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    for (const bad of [await blankPhoto(), Buffer.from('not an image'), Buffer.alloc(0), onePixel]) {
      const comparison = await matcher.compare(bad, document);
      expect(comparison).toEqual({ selfieFaces: 0, documentFaces: 1 });
      expect(identityVerification(comparison).identityVerification.reason).toBe('NO_FACE_PRESENT');
      expect((await matcher.compare(await faceCell(1), bad)).documentFaces).toBe(0);
    }
  });
});
