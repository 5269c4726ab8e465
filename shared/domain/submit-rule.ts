import { isAccepted } from './accepted-ids.ts';
import { ID_TYPES, type IdType } from './initiate-request.ts';
import { ALL_DOCUMENTS } from './journey.ts';
import { documentPreset, type TransactionOptions } from './settings.ts';

/**
 * What a submission may choose, worked out once when the session opens and stored on the
 * transaction, so that the submission is a single conditional write whose condition is the whole
 * check (shared/adapters/transaction-repository.ts): the document choices the customer's accepted
 * IDs and the index-1 preset allow, and whether a selfie is needed. Pure.
 *
 * The choices are kept as the shorter of the list allowed and the list refused, or as `any` when
 * everything is allowed: a customer who accepts all but one country stores that country's three
 * choices, not the other 747.
 */
export type SubmitRule = { face: boolean } & (
  | { any: true }
  | { allow: readonly string[] }
  | { deny: readonly string[] }
);

/** A choice as the rule lists it: `ESP:PASSPORT`. */
export const choiceKey = (country: string, idType: IdType): string => `${country}:${idType}`;

export function submitRule(
  options: Pick<TransactionOptions, 'acceptedIds' | 'presets' | 'verificationType'>,
): SubmitRule {
  const face = options.verificationType === 'ID_AND_IDENTITY';
  const preset = documentPreset(options);
  const allow: string[] = [];
  const deny: string[] = [];
  for (const { country } of ALL_DOCUMENTS) {
    for (const idType of ID_TYPES) {
      const allowed =
        isAccepted(options.acceptedIds, country, idType) &&
        (preset.country === undefined || preset.country === country) &&
        (preset.idType === undefined || preset.idType === idType);
      (allowed ? allow : deny).push(choiceKey(country, idType));
    }
  }
  if (deny.length === 0) return { face, any: true };
  return allow.length <= deny.length ? { face, allow } : { face, deny };
}

/** Whether the rule lets a submission choose `country`'s `idType` (what the stored condition says). */
export function ruleAllows(rule: SubmitRule, country: string, idType: IdType): boolean {
  if ('any' in rule) return true;
  const key = choiceKey(country, idType);
  return 'allow' in rule ? rule.allow.includes(key) : !rule.deny.includes(key);
}
