import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#domain/customer';
import { Conflict, NotFound, SessionRejected, Unauthorized, ValidationError } from '#domain/errors';
import { InitiateRequest } from '#domain/initiate-request';
import { DEFAULT_SETTINGS } from '#domain/settings';
import { api, MAX_BODY_BYTES, WWW_AUTHENTICATE } from '#http/api';
import { logger } from '#http/logger';
import { html } from '#http/responses';
import type { Authenticate } from '#use-cases/authenticate';
import {
  AWS_REQUEST_ID,
  apiEvent,
  basic,
  lambdaContext,
  parseResponse,
  SEED_SAMPLE_BODY,
  VALID_SECRET,
  VALID_TOKEN,
} from './api-events.ts';

const CUSTOMER: Customer = {
  customerId: 'customer-1',
  name: 'Example Corp',
  settings: DEFAULT_SETTINGS,
  createdAt: '2018-01-01T00:00:00.000Z',
};

/** Accepts exactly one credential, and counts its calls. */
let authCalls = 0;
const stubAuth: Authenticate = async (credentials) => {
  authCalls++;
  if (credentials?.apiToken === VALID_TOKEN && credentials.apiSecret === VALID_SECRET) return CUSTOMER;
  throw new Unauthorized('Missing or invalid API credentials.');
};

const echo = api({ auth: stubAuth, body: InitiateRequest }).handle(({ customer, body }) => ({
  customerId: customer.customerId,
  body,
}));

const MINIMAL = JSON.stringify({ customerInternalReference: 'transaction_1234', userReference: 'user_1234' });

async function call(handler: typeof echo, event = apiEvent({ body: MINIMAL })) {
  return parseResponse(await handler(event, lambdaContext()));
}

/** The access log and the error log, silenced; the 500 test reads the error log's calls. */
let errorLog: ReturnType<typeof silenceLogger>;
function silenceLogger() {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  return vi.spyOn(logger, 'error').mockImplementation(() => undefined);
}

beforeEach(() => {
  errorLog = silenceLogger();
});

afterEach(() => {
  vi.restoreAllMocks();
  authCalls = 0;
});

describe('a valid request', () => {
  it('the seed sample request gets 200 and the handler sees the parsed body', async () => {
    const response = await call(echo, apiEvent({ body: SEED_SAMPLE_BODY }));
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      customerId: 'customer-1',
      body: InitiateRequest.parse(JSON.parse(SEED_SAMPLE_BODY)),
    });
  });

  it("a handler's plain object becomes a 200 JSON response with the security headers", async () => {
    const response = await call(echo);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('the handler gets the canonical values (en-gb → en-GB)', async () => {
    const response = await call(
      echo,
      apiEvent({
        body: JSON.stringify({ customerInternalReference: 'a', userReference: 'b', locale: 'en-gb' }),
      }),
    );
    expect(response.body.body.locale).toBe('en-GB');
  });

  it('a base64-encoded body is decoded', async () => {
    const response = await call(
      echo,
      apiEvent({ body: Buffer.from(MINIMAL).toString('base64'), isBase64Encoded: true }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.body.body.userReference).toBe('user_1234');
  });

  it('a response the handler builds itself is passed through', async () => {
    const page = api({ apiHeaders: false }).handle(() => html(200, '<p>hi</p>'));
    const response = await page(apiEvent({ method: 'GET', headers: {} }), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('<p>hi</p>');
    expect(response.headers?.['content-type']).toMatch(/^text\/html/);
  });

  it('without apiHeaders, Accept and User-Agent are not required', async () => {
    const open = api({ apiHeaders: false }).handle(() => ({ ok: true }));
    const response = await call(open as unknown as typeof echo, apiEvent({ method: 'GET', headers: {} }));
    expect(response).toMatchObject({ statusCode: 200, body: { ok: true } });
  });
});

describe('413: body too large', () => {
  const bodyOfBytes = (bytes: number) => {
    const head = '{"customerInternalReference":"a","userReference":"b","x":"';
    return `${head}${'a'.repeat(bytes - head.length - 2)}"}`;
  };

  it(`a body of ${MAX_BODY_BYTES} bytes (16 KiB) is read`, async () => {
    expect(MAX_BODY_BYTES).toBe(16 * 1024);
    const body = bodyOfBytes(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    const response = await call(echo, apiEvent({ body }));
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toContainEqual(
      expect.objectContaining({ field: 'x', rule: 'unknown-field' }),
    );
  });

  it('one byte more → 413', async () => {
    const response = await call(echo, apiEvent({ body: bodyOfBytes(MAX_BODY_BYTES + 1) }));
    expect(response.statusCode).toBe(413);
    expect(response.body.error).toBe('payload_too_large');
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const body = 'é'.repeat(MAX_BODY_BYTES / 2 + 1);
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expect((await call(echo, apiEvent({ body }))).statusCode).toBe(413);
  });

  it('counts the decoded bytes of a base64 body', async () => {
    const body = Buffer.from(bodyOfBytes(MAX_BODY_BYTES + 1)).toString('base64');
    expect((await call(echo, apiEvent({ body, isBase64Encoded: true }))).statusCode).toBe(413);
  });

  it('comes before authentication: no credentials are checked for an oversized body', async () => {
    const response = await call(
      echo,
      apiEvent({ body: bodyOfBytes(MAX_BODY_BYTES + 1), with: { authorization: undefined } }),
    );
    expect(response.statusCode).toBe(413);
    expect(authCalls).toBe(0);
  });
});

describe('401: credentials', () => {
  it.each([
    ['no Authorization header', { authorization: undefined }],
    ['a wrong secret', { authorization: basic(VALID_TOKEN, 'wrong') }],
    ['an unknown token', { authorization: basic('ovk_other', VALID_SECRET) }],
    ['a Bearer token', { authorization: `Bearer ${VALID_TOKEN}` }],
    ['a malformed Basic value', { authorization: 'Basic !!!' }],
  ])('%s → 401 with WWW-Authenticate: Basic', async (_name, headers) => {
    const response = await call(echo, apiEvent({ body: MINIMAL, with: headers }));
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="/);
    expect(response.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
  });

  it('comes before the header and body checks', async () => {
    const response = await call(echo, apiEvent({ headers: {}, body: '{not json' }));
    expect(response.statusCode).toBe(401);
  });
});

describe('406 and 400: Accept and User-Agent', () => {
  it.each(['text/html', 'application/xml', 'application/json;q=0'])('Accept: %s → 406', async (accept) => {
    const response = await call(echo, apiEvent({ body: MINIMAL, with: { accept } }));
    expect(response.statusCode).toBe(406);
    expect(response.body.error).toBe('not_acceptable');
  });

  it.each(['*/*', 'application/*', 'application/json, text/plain'])('Accept: %s is fine', async (accept) => {
    expect((await call(echo, apiEvent({ body: MINIMAL, with: { accept } }))).statusCode).toBe(200);
  });

  it('no Accept → 400 naming the Accept header', async () => {
    const response = await call(echo, apiEvent({ body: MINIMAL, with: { accept: undefined } }));
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'Accept', rule: 'required', message: expect.any(String) },
    ]);
  });

  it.each([undefined, '', '   '])('User-Agent %j → 400 naming the User-Agent header', async (userAgent) => {
    const response = await call(echo, apiEvent({ body: MINIMAL, with: { 'user-agent': userAgent } }));
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'User-Agent', rule: 'required', message: expect.any(String) },
    ]);
  });
});

describe('415: Content-Type', () => {
  it.each([
    undefined,
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonx',
    'multipart/form-data',
    'application/json; charset=iso-8859-1',
    'application/json; charset=utf-16',
  ])('Content-Type %j → 415', async (contentType) => {
    const response = await call(echo, apiEvent({ body: MINIMAL, with: { 'content-type': contentType } }));
    expect(response.statusCode).toBe(415);
    expect(response.body.error).toBe('unsupported_media_type');
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON'])(
    'Content-Type %s is fine',
    async (contentType) => {
      expect(
        (await call(echo, apiEvent({ body: MINIMAL, with: { 'content-type': contentType } }))).statusCode,
      ).toBe(200);
    },
  );
});

describe('400: the body', () => {
  it.each(['{not json', '', '{"a":', "{'single':'quotes'}", '\uFEFF{}', 'undefined'])(
    'malformed JSON %j → 400 with the json rule',
    async (body) => {
      const response = await call(echo, apiEvent({ body }));
      expect(response.statusCode).toBe(400);
      expect(response.body).toEqual({
        error: 'validation_failed',
        message: 'The request is invalid.',
        errors: [{ field: '(body)', rule: 'json', message: 'must be a valid JSON document' }],
      });
    },
  );

  it('a body that is not UTF-8 (Latin-1 "Zürich", no charset said) → 400 with the utf-8 rule, not U+FFFD', async () => {
    const latin1 = Buffer.from('{"customerInternalReference":"Z\u00fcrich","userReference":"u"}', 'latin1');
    const response = await call(echo, apiEvent({ body: latin1.toString('base64'), isBase64Encoded: true }));
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: '(body)', rule: 'utf-8', message: expect.any(String) }]);
  });

  it('the same body in UTF-8 passes', async () => {
    const utf8 = Buffer.from('{"customerInternalReference":"Z\u00fcrich","userReference":"u"}', 'utf8');
    const response = await call(echo, apiEvent({ body: utf8.toString('base64'), isBase64Encoded: true }));
    expect(response.statusCode).toBe(200);
  });

  it('a missing body → 400 with the json rule', async () => {
    const response = await call(echo, apiEvent());
    expect(response.statusCode).toBe(400);
    expect(response.body.errors[0].rule).toBe('json');
  });

  it('lists each failing field with its rule', async () => {
    const response = await call(
      echo,
      apiEvent({
        body: JSON.stringify({
          userReference: 'john.doe@example.com',
          successUrl: 'http://www.yourcompany.com/success',
          errorUrl: 'https://www.yourcompany.com:8443/error',
          workflowId: 103,
          locale: 'xx',
          tokenLifetimeInMinutes: 86401,
          presets: [{ index: 1, country: 'XXX', type: 'PASSPORT' }],
          callbackURL: 'https://www.yourcompany.com/callback',
        }),
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    expect(
      response.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort(),
    ).toEqual(
      [
        'customerInternalReference:required',
        'userReference:no-pii',
        'successUrl:https-only',
        'errorUrl:no-port',
        'workflowId:one-of',
        'locale:one-of',
        'tokenLifetimeInMinutes:maximum',
        'presets[0].country:country-code',
        'callbackURL:unknown-field',
      ].sort(),
    );
    for (const issue of response.body.errors) expect(issue.message).toEqual(expect.any(String));
  });

  it('does not call the handler for an invalid body', async () => {
    const run = vi.fn(() => ({}));
    const handler = api({ auth: stubAuth, body: InitiateRequest }).handle(run);
    await handler(apiEvent({ body: '{}' }), lambdaContext());
    expect(run).not.toHaveBeenCalled();
  });
});

describe('errors thrown by the handler', () => {
  const throwing = (error: unknown) =>
    api({ auth: stubAuth, body: InitiateRequest }).handle(() => {
      throw error;
    });

  it('an unexpected error → 500 with a generic body that hides the message', async () => {
    const response = await call(throwing(new Error('connect ECONNREFUSED db-password=hunter2')));
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({
      error: 'internal_error',
      message: 'Something went wrong on our side.',
      requestId: AWS_REQUEST_ID,
    });
    expect(JSON.stringify(response)).not.toContain('hunter2');
    expect(JSON.stringify(response)).not.toContain('ECONNREFUSED');
    expect(errorLog).toHaveBeenCalledOnce();
  });

  it('a thrown non-Error → 500 too', async () => {
    expect((await call(throwing('a string'))).statusCode).toBe(500);
  });

  it('a 4xx is not logged as an error', async () => {
    await call(throwing(new NotFound('No such transaction.')));
    await call(echo, apiEvent({ body: '{' }));
    expect(errorLog).not.toHaveBeenCalled();
  });

  it.each([
    [new NotFound('No such transaction.'), 404, 'not_found'],
    [new Conflict('Already exists.'), 409, 'conflict'],
    [
      new ValidationError([{ field: 'workflowId', rule: 'identity-verification-disabled', message: 'm' }]),
      400,
      'validation_failed',
    ],
  ])('%o → %i %s', async (error, status, code) => {
    const response = await call(throwing(error));
    expect(response.statusCode).toBe(status);
    expect(response.body.error).toBe(code);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('a 4xx says what was wrong', async () => {
    const response = await call(throwing(new NotFound('No such transaction.')));
    expect(response.body.message).toBe('No such transaction.');
  });

  it('a use-case ValidationError lists its issues', async () => {
    const issue = { field: 'presets', rule: 'requires-identity-verification', message: 'm' };
    expect((await call(throwing(new ValidationError([issue])))).body.errors).toEqual([issue]);
  });

  it('SessionRejected → 401 with the journey error code and a Bearer challenge (no browser prompt)', async () => {
    const response = await call(throwing(new SessionRejected(9210)));
    expect(response.statusCode).toBe(401);
    expect(response.body).toEqual({
      error: 'session_rejected',
      errorCode: 9210,
      message: expect.any(String),
    });
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('SessionRejected for a request without a token → a plain Bearer challenge (RFC 6750 §3.1)', async () => {
    const response = await call(throwing(new SessionRejected(9200, { tokenSent: false })));
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('the order of checks', () => {
  it('headers are checked before the body: a bad Accept with a bad body → 406', async () => {
    expect((await call(echo, apiEvent({ body: '{', with: { accept: 'text/html' } }))).statusCode).toBe(406);
  });

  it('a missing Accept is reported before the Content-Type', async () => {
    const response = await call(
      echo,
      apiEvent({ body: MINIMAL, with: { accept: undefined, 'content-type': 'text/plain' } }),
    );
    expect(response.statusCode).toBe(400);
  });
});
