import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcceptedIds, acceptedIdIssue } from '#domain/accepted-ids';
import { COUNTRIES } from '#domain/countries';
import { ID_TYPES, type IdType } from '#domain/initiate-request';
import { documentPreset } from '#domain/settings';
import { choiceKey, ruleAllows, type SubmitRule, submitRule } from '#domain/submit-rule';

/**
 * The rule the session stores for its submission: what it allows is exactly what submitJourney's
 * checks allow (the accepted IDs and the index-1 preset), in the shorter of its two spellings.
 */

const CODES = COUNTRIES.map(({ country }) => country);
const ids = (input: unknown) => AcceptedIds.parse(input);
const choices = (rule: SubmitRule) => ('allow' in rule ? rule.allow : 'deny' in rule ? rule.deny : []);

/** submitJourney's own checks, as it runs them on a record read (use-cases/journey.ts). */
function checksAllow(options: Parameters<typeof submitRule>[0], country: string, idType: IdType): boolean {
  const preset = documentPreset(options);
  if (preset.country && preset.country !== country) return false;
  if (preset.idType && preset.idType !== idType) return false;
  return acceptedIdIssue(options.acceptedIds, country, idType) === undefined;
}

describe('submitRule', () => {
  it('allows anything, in a word, when everything is accepted and nothing preset', () => {
    expect(submitRule({ verificationType: 'ID_ONLY' })).toEqual({ face: false, any: true });
    expect(submitRule({ verificationType: 'ID_AND_IDENTITY', acceptedIds: ids({}) })).toEqual({
      face: true,
      any: true,
    });
  });

  it('lists the one choice a full preset allows', () => {
    expect(
      submitRule({ verificationType: 'ID_ONLY', presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }] }),
    ).toEqual({ face: false, allow: ['AUT:PASSPORT'] });
  });

  it('lists what is refused when that is shorter: all but one country accepted', () => {
    const rule = submitRule({
      verificationType: 'ID_ONLY',
      acceptedIds: ids({ default: 'ALL', countries: { RUS: 'NONE' } }),
    });
    expect(rule).toEqual({ face: false, deny: ['RUS:PASSPORT', 'RUS:DRIVING_LICENSE', 'RUS:ID_CARD'] });
  });

  it('allows nothing when the preset names a document the customer does not accept', () => {
    const rule = submitRule({
      verificationType: 'ID_ONLY',
      acceptedIds: ids({ default: 'NONE', countries: { DEU: 'ALL' } }),
      presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }],
    });
    expect(rule).toEqual({ face: false, allow: [] });
    expect(ruleAllows(rule, 'AUT', 'PASSPORT')).toBe(false);
  });

  it('allows exactly what the checks allow, for any accepted IDs and preset, in the shorter list', () => {
    const selection = fc.oneof(
      fc.constant('ALL' as const),
      fc.constant('NONE' as const),
      fc.subarray([...ID_TYPES], { minLength: 1 }),
    );
    const settings = fc
      .record({
        default: selection,
        countries: fc.dictionary(fc.constantFrom(...CODES), selection, { maxKeys: 6 }),
      })
      .filter((input) => AcceptedIds.safeParse(input).success)
      .map((input) => ids(input));
    const preset = fc.option(
      fc.record({
        index: fc.constant(1),
        country: fc.constantFrom(...CODES),
        type: fc.constantFrom(...ID_TYPES),
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.option(settings, { nil: undefined }),
        preset,
        fc.boolean(),
        fc.constantFrom(...CODES),
        fc.constantFrom(...ID_TYPES),
        (acceptedIds, onePreset, identity, country, idType) => {
          const options = {
            verificationType: identity ? ('ID_AND_IDENTITY' as const) : ('ID_ONLY' as const),
            ...(acceptedIds ? { acceptedIds } : {}),
            ...(onePreset ? { presets: [onePreset] } : {}),
          };
          const rule = submitRule(options);
          expect(rule.face).toBe(identity);
          expect(ruleAllows(rule, country, idType)).toBe(checksAllow(options, country, idType));
          // Never longer than half the catalogue: the record carries it.
          expect(choices(rule).length).toBeLessThanOrEqual((CODES.length * ID_TYPES.length) / 2);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('spells a choice as the condition compares it', () => {
    expect(choiceKey('XKX', 'ID_CARD')).toBe('XKX:ID_CARD');
  });
});
