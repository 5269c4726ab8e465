import { canonicalLocale, LOCALES } from './locales.ts';
import { containsEmailAddress } from './pii.ts';
import { checkUrl } from './url-policy.ts';
import * as z from './zod.ts';

/** Field schemas shared by the initiate request and the customer's settings. */

const rule = (name: string) => ({ params: { rule: name } });

/**
 * Characters that change how text reads without being seen: bidirectional overrides and isolates
 * (a reference that displays as `1234` and is stored as `4321`), and the zero-width ones.
 */
const INVISIBLE_FORMATTING = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

/** A free-text reference: bounded, printable, no PII (seed 000, footnote 1). */
export function reference(maxLength: number) {
  return z.string().check(
    z.minLength(1, { abort: true }),
    z.maxLength(maxLength, { abort: true }),
    z.refine((value) => value.isWellFormed(), {
      message: 'must be well-formed Unicode (no lone surrogates)',
      abort: true,
      ...rule('well-formed'),
    }),
    z.refine((value) => value.trim() !== '', { message: 'must not be blank', ...rule('not-blank') }),
    z.refine((value) => !/\p{Cc}/u.test(value) && !INVISIBLE_FORMATTING.test(value), {
      message: 'must not contain control or invisible formatting characters',
      ...rule('no-control-characters'),
    }),
    z.refine((value) => !containsEmailAddress(value), {
      message: 'must not contain personal data such as an e-mail address',
      ...rule('no-pii'),
    }),
  );
}

/** A callback, success or error URL, with the URL policy of `url-policy.ts`. */
export function redirectUrl(maxLength: number) {
  return z.string().check(
    z.maxLength(maxLength, { abort: true }),
    z.superRefine((value, ctx) => {
      for (const violation of checkUrl(value, maxLength)) {
        ctx.addIssue({ code: 'custom', message: violation.message, params: { rule: violation.rule } });
      }
    }),
    z.meta({ format: 'uri', pattern: '^https://' }),
  );
}

/** A supported locale in any letter case, given back in its canonical spelling. */
export const locale = z
  .pipe(
    z.string().check(
      z.maxLength(5),
      z.refine((value) => canonicalLocale(value) !== undefined, {
        message: `must be one of ${LOCALES.join(', ')}`,
        ...rule('one-of'),
      }),
    ),
    z.transform((value: string) => canonicalLocale(value) ?? 'en'),
  )
  .check(
    z.meta({
      description: 'A supported locale, matched case-insensitively (`en-gb` is `en-GB`).',
      enum: [...LOCALES],
      example: 'en-GB',
    }),
  );

export const tokenLifetimeInMinutes = z.number().check(z.int(), z.minimum(5), z.maximum(86400));

/**
 * An optional request field that may also be sent as `null`, which means the same as leaving it
 * out: Java and .NET serialisers (Jackson, Gson, Newtonsoft) write absent values as `null` by
 * default, and an integration switching from Netverify must not start failing on them.
 */
export function optional<S extends z.core.$ZodType>(schema: S) {
  return z.optional(
    z.pipe(
      z.nullish(schema),
      z.transform((value: z.output<S> | null | undefined) => value ?? undefined),
    ),
  );
}
