import * as z from './zod.ts';

/**
 * The headers a Netverify-style API call must bring (seed 000, "Request headers"), besides
 * `Authorization`, which the authentication step reads. Header names are matched case-insensitively
 * by the HTTP layer and reported here in their canonical spelling.
 */

/** Whether an Accept header admits `application/json` (RFC 9110 media ranges, q=0 refuses). */
export function acceptsJson(accept: string): boolean {
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const refused = params.some((param) => /^q=0(\.0{0,3})?$/.test(param));
    return !refused && (type === 'application/json' || type === 'application/*' || type === '*/*');
  });
}

export function isJsonContentType(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset would be read wrongly, so it is
 * refused (415) rather than silently turned into replacement characters; a body that says nothing
 * and is not UTF-8 is refused when it is decoded (400, rule `utf-8`).
 */
export function declaresOnlyUtf8(contentType: string): boolean {
  const charsets = contentType
    .split(';')
    .slice(1)
    .map((param) => param.trim().toLowerCase())
    .filter((param) => param.startsWith('charset='))
    .map((param) => param.slice('charset='.length).replace(/^"(.*)"$/, '$1'));
  return charsets.every((charset) => charset === 'utf-8' || charset === 'utf8');
}

/** Rules whose failure is a media-type answer (406, 415) rather than a 400. */
export const NOT_ACCEPTABLE_RULE = 'accepts-json';

export const ApiHeaders = z.object({
  Accept: z.string().check(
    z.refine(acceptsJson, {
      message: 'must admit application/json',
      params: { rule: NOT_ACCEPTABLE_RULE },
    }),
  ),
  'User-Agent': z.string().check(
    z.refine((value) => value.trim() !== '', {
      message: 'is required and should name your company and app',
      params: { rule: 'required' },
    }),
    z.meta({
      description: 'Your company and app, for troubleshooting.',
      example: 'YourCompany YourApp/v1.0',
    }),
  ),
});

export const JsonBodyHeaders = z.object({
  'Content-Type': z.string().check(
    z.refine(isJsonContentType, { message: 'must be application/json', params: { rule: 'media-type' } }),
    z.refine(declaresOnlyUtf8, {
      message: 'must be UTF-8 if a charset is given',
      params: { rule: 'charset' },
    }),
  ),
});

/** What a missing required header is told, whichever rule found it missing. */
export const REQUIRED_HEADER_MESSAGES: Readonly<Record<string, string>> = {
  Accept: 'header is required: application/json',
  'User-Agent': 'header is required and should name your company and app',
};
