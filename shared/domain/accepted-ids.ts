import { isCountryCode } from './countries.ts';
import type { FieldIssue } from './errors.ts';
import { ID_TYPES, type IdType } from './initiate-request.ts';
import { type AcceptedDocument, ALL_DOCUMENTS } from './journey.ts';
import * as z from './zod.ts';

/**
 * A customer's accepted IDs (seed 003, "Accepted IDs"): which countries' documents of which types
 * the journey offers and the verdict accepts. Pure.
 *
 * Compact on purpose, because a copy rides on every transaction (the worker judges with it): a
 * default for every country, exceptions per country, never the expanded list of 250 × 3.
 * The seed's "per region" page is only a way to fill the per-country one ("your region selections
 * can be copied to the Per country configuration"), and it names no regions; so regions are not
 * stored: an operator expresses a region as its countries.
 */

/**
 * The catalogue of supported documents, versioned: when the product starts supporting a country or
 * a type, the version goes up and `ADDED` says what came with it. Settings remember the version they
 * were written against, and "accept newly supported IDs" decides whether what came later is offered.
 */
export const CATALOGUE_VERSION = 1;
const ADDED: ReadonlyArray<{ version: number; country?: string; idType?: string }> = [];

function supportedSince(country: string, idType: string): number {
  return ADDED.reduce(
    (since, added) =>
      (added.country === undefined || added.country === country) &&
      (added.idType === undefined || added.idType === idType)
        ? Math.max(since, added.version)
        : since,
    1,
  );
}

/** `ALL` types (including types supported later), `NONE`, or these types. */
const Selection = z.union([
  z.literal('ALL'),
  z.literal('NONE'),
  z.array(z.enum(ID_TYPES)).check(
    z.refine((types) => new Set(types).size === types.length, {
      message: 'must not name a type twice',
      params: { rule: 'unique' },
    }),
  ),
]);
export type Selection = z.output<typeof Selection>;

export const AcceptedIds = z
  .strictObject({
    /** What every country not named in `countries` accepts. */
    default: z._default(Selection, 'ALL'),
    /** Per country (ISO 3166-1 alpha-3 or XKX): overrides `default`. */
    countries: z.optional(z.record(z.string(), Selection)),
    /** Whether documents the product supports only after these settings were written are accepted. */
    acceptNewlySupported: z._default(z.boolean(), true),
    /** The catalogue version these settings were written against (set by the product). */
    catalogueVersion: z._default(
      z.int().check(z.minimum(1), z.maximum(CATALOGUE_VERSION)),
      CATALOGUE_VERSION,
    ),
  })
  .check(
    z.superRefine((ids, ctx) => {
      for (const country of Object.keys(ids.countries ?? {})) {
        if (!isCountryCode(country)) {
          ctx.addIssue({
            code: 'custom',
            path: ['countries', country],
            message: 'must be an ISO 3166-1 alpha-3 country code (upper case) or XKX',
            params: { rule: 'country-code' },
          });
        }
      }
      if (acceptedDocuments(ids).length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: 'accepts no document at all: the journey would have nothing to offer',
          params: { rule: 'accepts-something' },
        });
      }
    }),
  );
export type AcceptedIds = z.output<typeof AcceptedIds>;

export const DEFAULT_ACCEPTED_IDS: AcceptedIds = {
  default: 'ALL',
  acceptNewlySupported: true,
  catalogueVersion: CATALOGUE_VERSION,
};

/** True when the settings accept every document the product supports, now and later. */
export function acceptsEverything(ids: AcceptedIds | undefined): boolean {
  return (
    ids === undefined ||
    (ids.default === 'ALL' &&
      ids.acceptNewlySupported &&
      Object.values(ids.countries ?? {}).every((selection) => selection === 'ALL'))
  );
}

function selects(selection: Selection, idType: string): boolean {
  if (selection === 'ALL') return true;
  if (selection === 'NONE') return false;
  return (selection as readonly string[]).includes(idType);
}

/**
 * Whether a document of `country` and `idType` is accepted. `undefined` settings (a transaction
 * created before accepted IDs existed) accept everything.
 */
export function isAccepted(ids: AcceptedIds | undefined, country: string, idType: string): boolean {
  if (ids === undefined) return true;
  if (supportedSince(country, idType) > ids.catalogueVersion && !ids.acceptNewlySupported) return false;
  return selects(ids.countries?.[country] ?? ids.default, idType);
}

/** Whether any type of `country` is accepted. */
export function isCountryAccepted(ids: AcceptedIds | undefined, country: string): boolean {
  return ID_TYPES.some((idType) => isAccepted(ids, country, idType));
}

/** The documents the journey offers: every supported country with its accepted types, none empty. */
export function acceptedDocuments(ids: AcceptedIds | undefined): AcceptedDocument[] {
  return ALL_DOCUMENTS.flatMap(({ country, region, types }) => {
    const accepted = types.filter((idType: IdType) => isAccepted(ids, country, idType));
    return accepted.length > 0 ? [{ country, region, types: accepted }] : [];
  });
}

/**
 * Why a document is refused, or undefined when it is accepted: the country (none of its types is
 * accepted) or the type (the country is, with other types). The field and verdict follow from it.
 */
export function refusal(
  ids: AcceptedIds | undefined,
  country: string,
  idType: string,
): 'country' | 'type' | undefined {
  if (isAccepted(ids, country, idType)) return undefined;
  return isCountryAccepted(ids, country) ? 'type' : 'country';
}

/** The 400's issue for a document the customer does not accept (submission, performNetverify). */
export function acceptedIdIssue(
  ids: AcceptedIds | undefined,
  country: string,
  idType: string,
): FieldIssue | undefined {
  switch (refusal(ids, country, idType)) {
    case 'country':
      return { field: 'country', rule: 'accepted-id', message: `documents of ${country} are not accepted` };
    case 'type':
      return {
        field: 'idType',
        rule: 'accepted-id',
        message: `${idType} is not accepted for ${country}; accepted: ${ID_TYPES.filter((type) => isAccepted(ids, country, type)).join(', ')}`,
      };
    default:
      return undefined;
  }
}
