import * as z from 'zod';
import { canonicalLocale, LOCALES } from './locales.ts';
import { containsEmailAddress } from './pii.ts';
import { checkUrl } from './url-policy.ts';

/** Field schemas shared by the initiate request and the customer's settings. */

const rule = (name: string) => ({ params: { rule: name } });

/**
 * Characters that change how text reads without being seen: bidirectional overrides and isolates
 * (a reference that displays as `1234` and is stored as `4321`), and the zero-width ones.
 */
const INVISIBLE_FORMATTING = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

/** A free-text reference: bounded, printable, no PII (seed 000, footnote 1). */
export function reference(maxLength: number) {
  return z
    .string()
    .min(1, { abort: true })
    .max(maxLength, { abort: true })
    .refine((value) => value.isWellFormed(), {
      message: 'must be well-formed Unicode (no lone surrogates)',
      abort: true,
      ...rule('well-formed'),
    })
    .refine((value) => value.trim() !== '', { message: 'must not be blank', ...rule('not-blank') })
    .refine((value) => !/\p{Cc}/u.test(value) && !INVISIBLE_FORMATTING.test(value), {
      message: 'must not contain control or invisible formatting characters',
      ...rule('no-control-characters'),
    })
    .refine((value) => !containsEmailAddress(value), {
      message: 'must not contain personal data such as an e-mail address',
      ...rule('no-pii'),
    });
}

/** A callback, success or error URL, with the URL policy of `url-policy.ts`. */
export function redirectUrl(maxLength: number) {
  return z
    .string()
    .max(maxLength, { abort: true })
    .superRefine((value, ctx) => {
      for (const violation of checkUrl(value, maxLength)) {
        ctx.addIssue({ code: 'custom', message: violation.message, params: { rule: violation.rule } });
      }
    })
    .meta({ format: 'uri', pattern: '^https://' });
}

/** A supported locale in any letter case, given back in its canonical spelling. */
export const locale = z
  .string()
  .max(5)
  .refine((value) => canonicalLocale(value) !== undefined, {
    message: `must be one of ${LOCALES.join(', ')}`,
    ...rule('one-of'),
  })
  .transform((value) => canonicalLocale(value) ?? 'en')
  .meta({
    description: 'A supported locale, matched case-insensitively (`en-gb` is `en-GB`).',
    enum: [...LOCALES],
    example: 'en-GB',
  });

export const tokenLifetimeInMinutes = z.number().int().min(5).max(86400);

/**
 * An optional request field that may also be sent as `null`, which means the same as leaving it
 * out: Java and .NET serialisers (Jackson, Gson, Newtonsoft) write absent values as `null` by
 * default, and an integration switching from Netverify must not start failing on them.
 */
export function optional<S extends z.ZodType>(schema: S) {
  return schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();
}
