import * as z from 'zod';
import { canonicalLocale, LOCALES } from './locales.ts';
import { containsEmailAddress } from './pii.ts';
import { checkUrl } from './url-policy.ts';

/** Field schemas shared by the initiate request and the customer's settings. */

const rule = (name: string) => ({ params: { rule: name } });

/** A free-text reference: bounded, printable, no PII (seed 000, footnote 1). */
export function reference(maxLength: number) {
  return z
    .string()
    .min(1, { abort: true })
    .max(maxLength, { abort: true })
    .refine((value) => !/[\p{Cc}]/u.test(value), {
      message: 'must not contain control characters',
      ...rule('no-control-characters'),
    })
    .refine((value) => !containsEmailAddress(value), {
      message: 'must not contain personal data such as an e-mail address',
      ...rule('no-pii'),
    });
}

/** A callback, success or error URL, with the URL policy of `url-policy.ts`. */
export function redirectUrl(maxLength: number) {
  return z.string().superRefine((value, ctx) => {
    for (const violation of checkUrl(value, maxLength)) {
      ctx.addIssue({ code: 'custom', message: violation.message, params: { rule: violation.rule } });
    }
  });
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
  .meta({ description: 'A supported locale (case-insensitive).', example: 'en-GB' });

export const tokenLifetimeInMinutes = z.number().int().min(5).max(86400);
