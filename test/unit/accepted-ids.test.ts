import { describe, expect, it } from 'vitest';
import {
  AcceptedIds,
  acceptedDocuments,
  acceptedIdIssue,
  acceptsEverything,
  isAccepted,
  refusal,
} from '#domain/accepted-ids';
import { COUNTRIES } from '#domain/countries';
import { fieldIssues } from '#domain/validation';
import * as z from '#domain/zod';

/** A customer's accepted IDs (seed 003): a default, exceptions per country, newly supported IDs. */

const ids = (input: unknown) => AcceptedIds.parse(input);

function issuesOf(input: unknown) {
  const result = z.safeParse(AcceptedIds, input);
  if (result.success) return [];
  return fieldIssues(result.error, input, 'acceptedIds.').map(({ field, rule }) => ({ field, rule }));
}

describe('AcceptedIds', () => {
  it('defaults to everything, now and later', () => {
    expect(ids({})).toEqual({ default: 'ALL', acceptNewlySupported: true, catalogueVersion: 1 });
    expect(acceptsEverything(ids({}))).toBe(true);
    expect(acceptsEverything(undefined)).toBe(true);
  });

  it('takes a default and per-country selections', () => {
    const parsed = ids({
      default: 'NONE',
      countries: { AUT: ['PASSPORT', 'ID_CARD'], DEU: 'ALL', XKX: ['PASSPORT'] },
      acceptNewlySupported: false,
    });
    expect(parsed.countries).toEqual({ AUT: ['PASSPORT', 'ID_CARD'], DEU: 'ALL', XKX: ['PASSPORT'] });
    expect(acceptsEverything(parsed)).toBe(false);
  });

  it.each([
    [{ countries: { AT: 'ALL' } }, 'acceptedIds.countries.AT', 'country-code'],
    [{ countries: { aut: 'ALL' } }, 'acceptedIds.countries.aut', 'country-code'],
    [{ countries: { AUT: ['VISA'] } }, 'acceptedIds.countries.AUT', 'one-of'],
    [{ countries: { AUT: ['PASSPORT', 'PASSPORT'] } }, 'acceptedIds.countries.AUT', 'unique'],
    [{ default: 'SOME' }, 'acceptedIds.default', 'one-of'],
    [{ regions: {} }, 'acceptedIds.regions', 'unknown-field'],
    [{ default: 'NONE' }, 'acceptedIds.', 'accepts-something'],
    [{ default: [], countries: { AUT: 'NONE' } }, 'acceptedIds.', 'accepts-something'],
    [{ catalogueVersion: 99 }, 'acceptedIds.catalogueVersion', 'maximum'],
  ])('refuses %j: %s (%s)', (input, field, rule) => {
    expect(issuesOf(input)).toContainEqual({ field, rule });
  });
});

describe('isAccepted', () => {
  const custom = ids({
    default: ['PASSPORT'],
    countries: { AUT: ['PASSPORT', 'ID_CARD'], DEU: 'ALL', RUS: 'NONE' },
  });

  it.each([
    ['AUT', 'PASSPORT', true],
    ['AUT', 'ID_CARD', true],
    ['AUT', 'DRIVING_LICENSE', false],
    ['DEU', 'DRIVING_LICENSE', true],
    ['RUS', 'PASSPORT', false],
    ['FRA', 'PASSPORT', true],
    ['FRA', 'ID_CARD', false],
    // A country the catalogue does not know (ICAO's specimen Utopia) follows the default.
    ['UTO', 'PASSPORT', true],
  ])('%s %s → %s', (country, idType, accepted) => {
    expect(isAccepted(custom, country, idType)).toBe(accepted);
  });

  it('settings from before accepted IDs existed (none on the transaction) accept everything', () => {
    expect(isAccepted(undefined, 'UTO', 'VISA')).toBe(true);
  });

  it('says whether the country or only the type is refused, and how the 400 names it', () => {
    expect(refusal(custom, 'RUS', 'PASSPORT')).toBe('country');
    expect(refusal(custom, 'AUT', 'DRIVING_LICENSE')).toBe('type');
    expect(refusal(custom, 'AUT', 'PASSPORT')).toBeUndefined();
    expect(acceptedIdIssue(custom, 'RUS', 'PASSPORT')).toMatchObject({
      field: 'country',
      rule: 'accepted-id',
    });
    expect(acceptedIdIssue(custom, 'AUT', 'DRIVING_LICENSE')).toEqual({
      field: 'idType',
      rule: 'accepted-id',
      message: 'DRIVING_LICENSE is not accepted for AUT; accepted: PASSPORT, ID_CARD',
    });
  });
});

describe('acceptedDocuments', () => {
  it('is every supported country with every type by default', () => {
    const documents = acceptedDocuments(undefined);
    expect(documents).toHaveLength(COUNTRIES.length);
    expect(documents.every((d) => d.types.length === 3)).toBe(true);
    expect(acceptedDocuments(ids({}))).toEqual(documents);
  });

  it('offers only the accepted countries and types, and no country without a type', () => {
    const documents = acceptedDocuments(
      ids({ default: 'NONE', countries: { AUT: ['ID_CARD', 'PASSPORT'], XKX: 'ALL', DEU: [] } }),
    );
    expect(documents).toEqual([
      { country: 'AUT', region: 'AT', types: ['PASSPORT', 'ID_CARD'] },
      { country: 'XKX', region: 'XK', types: ['PASSPORT', 'DRIVING_LICENSE', 'ID_CARD'] },
    ]);
  });
});
