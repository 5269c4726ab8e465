import { describe, expect, it } from 'vitest';
import {
  equalErrorRate,
  groupsOfSamePairs,
  quantile,
  sample,
  seeded,
  shareAtOrAbove,
  thresholdForFalseMatch,
  wilsonUpper,
} from '../../bench/face-accuracy.ts';

describe("bench/face-accuracy.ts's statistics", () => {
  it('takes quantiles between ranks', () => {
    expect(quantile([3, 1, 2, 4], 0)).toBe(1);
    expect(quantile([3, 1, 2, 4], 1)).toBe(4);
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('counts a score equal to the threshold as a match, as identityVerification does', () => {
    expect(shareAtOrAbove([0.4, 0.5, 0.6, 0.7], 0.5)).toBe(0.75);
  });

  it('finds the lowest threshold for a false-match rate, and the true-match rate there', () => {
    const genuine = [0.3, 0.5, 0.6, 0.7];
    const impostor = [0.1, 0.2, 0.3, 0.55];
    expect(thresholdForFalseMatch(genuine, impostor, 0.25)).toEqual({
      threshold: 0.5,
      trueMatch: 0.75,
      falseMatch: 0.25,
    });
    // No false match at all: just above the highest impostor.
    expect(thresholdForFalseMatch(genuine, impostor, 0).threshold).toBe(0.6);
  });

  it('puts the equal error rate where both errors are equal', () => {
    expect(equalErrorRate([0.6, 0.7, 0.8, 0.4], [0.1, 0.2, 0.3, 0.65])).toEqual({
      threshold: 0.6,
      rate: 0.25,
    });
  });

  it('bounds a rate of zero above 0 (Wilson)', () => {
    expect(wilsonUpper(0, 1000)).toBeCloseTo(0.0038, 4);
    expect(wilsonUpper(5, 10)).toBeGreaterThan(0.5);
    expect(wilsonUpper(0, 0)).toBeNaN();
  });

  it('samples without replacement, the same way for the same seed', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const first = sample(items, 10, seeded(7));
    expect(first).toEqual(sample(items, 10, seeded(7)));
    expect(new Set(first).size).toBe(10);
    expect(sample(items, 100, seeded(7))).toHaveLength(50);
  });

  it('groups "same person" pairs into people', () => {
    const groups = groupsOfSamePairs([
      ['a', 'b'],
      ['c', 'd'],
      ['b', 'e'],
      ['e', 'a'],
    ]);
    expect(groups.sort((x, y) => y.length - x.length)).toEqual([
      ['a', 'b', 'e'],
      ['c', 'd'],
    ]);
  });
});
