import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#domain/customer';
import { Unauthorized, ValidationError } from '#domain/errors';
import { ID_TYPES, InitiateRequest } from '#domain/initiate-request';
import { LOCALES } from '#domain/locales';
import { DEFAULT_SETTINGS } from '#domain/settings';
import { parseOrThrow } from '#domain/validation';
import { WORKFLOW_IDS } from '#domain/workflows';
import { api, MAX_BODY_BYTES } from '#http/api';
import { logger } from '#http/logger';
import type { Authenticate } from '#use-cases/authenticate';
import { initiate } from '#use-cases/initiate';
import {
  apiEvent,
  lambdaContext,
  type ParsedResponse,
  parseResponse,
  VALID_SECRET,
  VALID_TOKEN,
} from './api-events.ts';
import { FakeClock, InMemoryTransactions } from './in-memory-ports.ts';

/**
 * Property tests: whatever body arrives, the initiate entry point answers 200 or a clean 400 (or 413
 * for an oversized body), never a 500.
 */

const CUSTOMER: Customer = {
  customerId: 'customer-1',
  name: 'Example Corp',
  settings: DEFAULT_SETTINGS,
  createdAt: '2018-01-01T00:00:00.000Z',
};

const stubAuth: Authenticate = async (credentials) => {
  if (credentials?.apiToken === VALID_TOKEN && credentials.apiSecret === VALID_SECRET) return CUSTOMER;
  throw new Unauthorized('Missing or invalid API credentials.');
};

const echo = api({ auth: stubAuth, body: InitiateRequest }).handle(({ body }) => ({ body }));

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
});

async function post(
  body: string,
  options: { base64?: boolean; handler?: typeof echo; with?: Record<string, string | undefined> } = {},
) {
  const event = apiEvent({
    body: options.base64 ? Buffer.from(body, 'latin1').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
    with: options.with ?? {},
  });
  return parseResponse(await (options.handler ?? echo)(event, lambdaContext()));
}

/** A 400 lists at least one failing field, each as {field, rule, message} strings. */
function expectCleanBadRequest(response: ParsedResponse) {
  expect(response.statusCode).toBe(400);
  expect(response.body.error).toBe('validation_failed');
  expect(Array.isArray(response.body.errors)).toBe(true);
  expect(response.body.errors.length).toBeGreaterThan(0);
  for (const issue of response.body.errors) {
    expect(Object.keys(issue).sort()).toEqual(['field', 'message', 'rule']);
    for (const key of ['field', 'rule', 'message']) expect(typeof issue[key]).toBe('string');
    expect(issue.field.length).toBeGreaterThan(0);
    expect(issue.rule.length).toBeGreaterThan(0);
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

/** 200 with the parsed body, or a clean 400; 413 only when the body is over the limit. */
function expectOkOrCleanBadRequest(response: ParsedResponse, body: string) {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    expect(response.statusCode).toBe(413);
    return;
  }
  if (response.statusCode === 200) {
    expect(response.body.body).toEqual(InitiateRequest.parse(JSON.parse(body)));
    return;
  }
  expectCleanBadRequest(response);
}

// ── Generators ────────────────────────────────────────────────────────────────────────────────

const FIELDS = [
  'customerInternalReference',
  'userReference',
  'reportingCriteria',
  'successUrl',
  'errorUrl',
  'callbackUrl',
  'workflowId',
  'presets',
  'locale',
  'tokenLifetimeInMinutes',
] as const;

/**
 * Long strings, cheaply (fc.string with a large maxLength is slow to generate): just past the
 * reference limits, anywhere up to the 16 KiB body limit (the no-pii check is linear in the value,
 * so mid-size bodies are cheap), and past it.
 */
const hugeString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 90, max: 20_000 }))
  .map(([unit, count]) => unit.repeat(count));

const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  hugeString,
);

/** A valid value for each field. */
const safeText = fc.stringMatching(/^[A-Za-z0-9_ -]{1,100}$/);
const safeUrl = fc
  .array(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 4 })
  .map((path) => `https://www.yourcompany.com/${path.join('/')}`);
const VALID = {
  customerInternalReference: safeText,
  userReference: safeText,
  reportingCriteria: safeText,
  successUrl: safeUrl,
  errorUrl: safeUrl,
  callbackUrl: safeUrl,
  workflowId: fc.constantFrom(...WORKFLOW_IDS),
  presets: fc.constantFrom(
    [{ index: 1, country: 'AUT', type: 'PASSPORT' }],
    [{ index: 1, country: 'XKX', type: 'ID_CARD' }],
    [{ index: 2, phrase: 'MY CUSTOM PHRASE' }],
    [
      { index: 1, country: 'DEU', type: 'DRIVING_LICENSE' },
      { index: 2, phrase: 'HELLO 123' },
    ],
  ),
  locale: fc.oneof(
    fc.constantFrom(...LOCALES),
    fc.constantFrom(...LOCALES).map((l) => l.toUpperCase()),
  ),
  tokenLifetimeInMinutes: fc.integer({ min: 5, max: 86400 }),
};

/** Values just past a rule, per field. */
const NEAR_MISS: Record<(typeof FIELDS)[number], fc.Arbitrary<unknown>> = {
  customerInternalReference: fc.oneof(
    fc.string({ minLength: 99, maxLength: 101 }),
    fc.constantFrom('', 'a@b.com', 'a\nb'),
  ),
  userReference: fc.oneof(fc.string({ minLength: 99, maxLength: 101 }), fc.constantFrom('', 'x%40y.org')),
  reportingCriteria: fc.oneof(fc.string({ minLength: 99, maxLength: 101 }), fc.constant('\u0000')),
  successUrl: fc.oneof(
    fc.string().map((rest) => `https://www.yourcompany.com/${rest}`),
    fc.string().map((r) => `https://${r}`),
  ),
  errorUrl: fc.constantFrom(
    'http://www.yourcompany.com/',
    'https://127.0.0.1/',
    'https://a.com:443/',
    'https://a.com/#x',
  ),
  callbackUrl: fc.constantFrom(
    'https://a.com/?errorCode=1',
    'https://u:p@a.com/',
    'https://localhost/',
    'https://bücher.de/',
  ),
  workflowId: fc.oneof(fc.integer({ min: -1, max: 1000 }), fc.constantFrom('200', 200.5)),
  presets: fc.array(
    fc.record(
      {
        index: fc.oneof(fc.constantFrom(1, 2, 3, '1'), anyValue),
        country: fc.oneof(fc.constantFrom('AUT', 'XKX', 'aut', 'XXX', 'AT'), anyValue),
        type: fc.oneof(fc.constantFrom(...ID_TYPES, 'VISA'), anyValue),
        phrase: fc.oneof(fc.stringMatching(/^[A-Za-z0-9 !]{0,32}$/), anyValue),
        extra: anyValue,
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
  locale: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('en_GB', 'en-US', 'hr', 'EN-gb')),
  tokenLifetimeInMinutes: fc.oneof(fc.constantFrom(4, 86401, 5.5, 0, -5, '30'), fc.double()),
};

/** A valid body with up to two fields replaced by a near miss, an arbitrary value, or removed. */
const nearlyValidRecord = fc
  .tuple(
    fc.record(VALID, { requiredKeys: ['customerInternalReference', 'userReference'] }),
    fc.array(
      fc
        .constantFrom(...FIELDS)
        .chain((field) =>
          fc.tuple(fc.constant(field), fc.oneof(NEAR_MISS[field], anyValue, fc.constant(undefined))),
        ),
      { maxLength: 2 },
    ),
  )
  .map(([valid, changes]) => ({ ...valid, ...Object.fromEntries(changes) }));

/** Records built from the real field names with arbitrary values, sometimes with extra keys. */
const arbitraryRecord = fc
  .tuple(
    fc.record(Object.fromEntries(FIELDS.map((field) => [field, anyValue])), { requiredKeys: [] }),
    fc.dictionary(fc.string(), anyValue, { maxKeys: 2 }),
    fc.boolean(),
  )
  .map(([known, extra, withExtra]) => (withExtra ? { ...extra, ...known } : known));

const runs = { numRuns: 300 };

// ── Properties ────────────────────────────────────────────────────────────────────────────────

describe('the initiate request schema', () => {
  it('any JSON value parses or throws a ValidationError, nothing else', () => {
    fc.assert(
      // Bodies the API would read (the 16 KiB limit comes first), and not slow (see the bug below).
      fc.property(
        fc
          .oneof(fc.jsonValue(), arbitraryRecord, nearlyValidRecord)
          .filter((input) => JSON.stringify(input).length < 8000),
        (input) => {
          try {
            parseOrThrow(InitiateRequest, input);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any printable, non-blank reference of 1–100 characters without @ or % is accepted', () => {
    const printable = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
      .filter((s) => s.length <= 100 && s.trim() !== '' && !/[\p{Cc}\p{Cf}@%]/u.test(s));
    fc.assert(
      fc.property(printable, printable, (customerInternalReference, userReference) => {
        expect(InitiateRequest.parse({ customerInternalReference, userReference })).toEqual({
          customerInternalReference,
          userReference,
        });
      }),
      runs,
    );
  });
});

describe('POST /api/v4/initiate with a stub authenticator and an echoing handler', () => {
  it('any JSON value as the body → 200 or a clean 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const body = JSON.stringify(value) ?? 'null';
        expectOkOrCleanBadRequest(await post(body), body);
      }),
      runs,
    );
  });

  it('records of the real field names with arbitrary values → 200, a clean 400, or 413 when over 16 KiB', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRecord, async (record) => {
        const body = JSON.stringify(record);
        expectOkOrCleanBadRequest(await post(body), body);
      }),
      runs,
    );
  });

  it('nearly valid records → 200 with the parsed body, or a clean 400', async () => {
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(nearlyValidRecord, async (record) => {
        const body = JSON.stringify(record);
        const response = await post(body);
        if (response.statusCode === 200) ok++;
        expectOkOrCleanBadRequest(response, body);
      }),
      runs,
    );
    // The generator must reach the success path too, or the property proves little.
    expect(ok).toBeGreaterThan(0);
  });

  it('arbitrary bytes as the body → 400 or 413, never 500', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1000, max: 5000 }))
        .map(([unit, count]) => new Uint8Array(Array.from({ length: count }, () => [...unit]).flat())),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (raw) => {
        const buffer = Buffer.from(raw);
        const response = await post(buffer.toString('latin1'), { base64: true });
        if (buffer.length > MAX_BODY_BYTES) {
          expect(response.statusCode).toBe(413);
          return;
        }
        expectCleanBadRequest(response);
        let rule: string | undefined;
        try {
          const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
          // U+FFFD sent as such counts as a bad byte (shared/http/api.ts).
          if (text.includes('\uFFFD')) throw new TypeError('U+FFFD');
          JSON.parse(text);
        } catch (error) {
          rule = error instanceof SyntaxError ? 'json' : 'utf-8';
        }
        if (rule !== undefined)
          expect(response.body.errors).toEqual([{ field: '(body)', rule, message: expect.any(String) }]);
      }),
      runs,
    );
  });

  it('arbitrary text as the body → a clean 400 or 413, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), hugeString), async (body) => {
        const response = await post(body);
        if (Buffer.byteLength(body) > MAX_BODY_BYTES) expect(response.statusCode).toBe(413);
        else expectCleanBadRequest(response);
      }),
      runs,
    );
  });

  it('arbitrary Accept, Content-Type, User-Agent and Authorization headers never give a 500', async () => {
    const headerValue = fc.option(
      fc.oneof(fc.string(), fc.constantFrom('application/json', '*/*', 'Basic Og==')),
      {
        nil: undefined,
      },
    );
    const body = JSON.stringify({ customerInternalReference: 'a', userReference: 'b' });
    await fc.assert(
      fc.asyncProperty(
        headerValue,
        headerValue,
        headerValue,
        headerValue,
        async (accept, contentType, userAgent, auth) => {
          const response = await post(body, {
            with: {
              accept,
              'content-type': contentType,
              'user-agent': userAgent,
              ...(auth === undefined ? {} : { authorization: auth }),
            },
          });
          expect([200, 400, 401, 406, 415]).toContain(response.statusCode);
          if (response.statusCode === 400) expectCleanBadRequest(response);
        },
      ),
      runs,
    );
  });
});

describe('POST /api/v4/initiate with the real initiate use case and in-memory ports', () => {
  const clock = new FakeClock();
  const transactions = new InMemoryTransactions();
  const handler = api({ auth: stubAuth, body: InitiateRequest }).handle(({ customer, body }) =>
    initiate({ transactions, clock, hosts: { baseUrl: 'https://verify.example.com' } }, customer, body),
  );

  it('nearly valid records → 200 with a redirectUrl ≤ 255, or a clean 400', async () => {
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(nearlyValidRecord, async (record) => {
        const body = JSON.stringify(record);
        const response = await post(body, { handler: handler as unknown as typeof echo });
        if (response.statusCode === 200) {
          ok++;
          expect(response.body.redirectUrl.length).toBeLessThanOrEqual(255);
          expect(transactions.transactions.has(response.body.transactionReference)).toBe(true);
          return;
        }
        if (Buffer.byteLength(body) > MAX_BODY_BYTES) expect(response.statusCode).toBe(413);
        else expectCleanBadRequest(response);
      }),
      { numRuns: 200 },
    );
    expect(ok).toBeGreaterThan(0);
  });
});

/** An unknown field with an empty name is still named (as `""`). */
describe('unknown field with an empty name', () => {
  it('{"": 1} is answered with a non-empty field name', async () => {
    const response = await post(
      JSON.stringify({ customerInternalReference: 'a', userReference: 'b', '': 1 }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].rule).toBe('unknown-field');
    expect(response.body.errors[0].field).not.toBe('');
  });
});
