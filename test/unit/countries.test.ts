import { describe, expect, it } from 'vitest';
import { COUNTRIES, isCountryCode, KOSOVO } from '#domain/countries';

describe('COUNTRIES', () => {
  it('lists every code once, Kosovo included, in the order a locale-aware sort gives', () => {
    const codes = COUNTRIES.map(({ country }) => country);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toContain(KOSOVO);
    expect(codes.every((code) => /^[A-Z]{3}$/.test(code) && isCountryCode(code))).toBe(true);
    // Sorted without localeCompare (it loads ICU's collation data at cold start), to the same order.
    expect(codes).toEqual([...codes].sort((a, b) => a.localeCompare(b)));
    expect(codes.slice(0, 3)).toEqual(['ABW', 'AFG', 'AGO']);
  });
});
