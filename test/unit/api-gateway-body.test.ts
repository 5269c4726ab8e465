import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#domain/customer';
import { InitiateRequest } from '#domain/initiate-request';
import { DEFAULT_SETTINGS } from '#domain/settings';
import { api } from '#http/api';
import { logger } from '#http/logger';
import { apiEvent, lambdaContext, parseResponse } from './api-events.ts';

/**
 * A body that is not valid UTF-8, in each form API Gateway (HTTP API, payload 2.0) may give it to
 * Lambda. HTTP APIs decide `isBase64Encoded` from the content type; what they do with a text body
 * whose bytes are not UTF-8 is not documented. Either it arrives base64-encoded (the bytes as sent),
 * or as a string in which each bad byte became U+FFFD. The rule `utf-8` must hold for both.
 */

const CUSTOMER: Customer = {
  customerId: 'customer-1',
  name: 'Example Corp',
  settings: DEFAULT_SETTINGS,
  createdAt: '2018-01-01T00:00:00.000Z',
};

const handler = api({ auth: async () => CUSTOMER, body: InitiateRequest }).handle(({ body }) => ({ body }));

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

const INVALID_UTF8 = {
  'a stray byte (FF)': 'ff',
  'a lead byte without its continuation (C3 28)': 'c328',
  'an overlong "/" (C0 AF)': 'c0af',
  'a CESU-8 surrogate (ED A0 80)': 'eda080',
  'a code point past U+10FFFF (F4 90 80 80)': 'f4908080',
};

function bodyWith(bytes: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from('{"customerInternalReference":"a'),
    bytes,
    Buffer.from('b","userReference":"u"}'),
  ]);
}

async function send(event: ReturnType<typeof apiEvent>) {
  return parseResponse(await handler(event, lambdaContext()));
}

const UTF8_REFUSAL = {
  error: 'validation_failed',
  message: 'The request is invalid.',
  errors: [{ field: '(body)', rule: 'utf-8', message: expect.any(String) }],
};

describe.each(Object.entries(INVALID_UTF8))('a JSON body holding %s', (_name, hex) => {
  const raw = bodyWith(Buffer.from(hex, 'hex'));

  it('base64-encoded, the bytes as sent → 400 utf-8', async () => {
    const response = await send(apiEvent({ body: raw.toString('base64'), isBase64Encoded: true }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual(UTF8_REFUSAL);
  });

  it('as a string decoded by the gateway, bad bytes turned into U+FFFD → 400 utf-8', async () => {
    const decoded = new TextDecoder('utf-8').decode(raw);
    expect(decoded).toContain('\uFFFD');
    const response = await send(apiEvent({ body: decoded, isBase64Encoded: false }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual(UTF8_REFUSAL);
  });
});

describe('U+FFFD', () => {
  it('sent as such (EF BF BD) → 400 utf-8: it cannot be told from a replaced byte', async () => {
    const raw = bodyWith(Buffer.from('efbfbd', 'hex'));
    const response = await send(apiEvent({ body: raw.toString('base64'), isBase64Encoded: true }));
    expect(response.body).toEqual(UTF8_REFUSAL);
  });

  it('escaped in JSON (\\uFFFD) is read as any other character', async () => {
    const response = await send(
      apiEvent({ body: '{"customerInternalReference":"a\\uFFFDb","userReference":"u"}' }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.body.body.customerInternalReference).toBe('a\uFFFDb');
  });

  it('valid UTF-8 beyond ASCII passes either way', async () => {
    const raw = bodyWith(Buffer.from('Zürich 𝄞', 'utf8'));
    for (const event of [
      apiEvent({ body: raw.toString('utf8') }),
      apiEvent({ body: raw.toString('base64'), isBase64Encoded: true }),
    ]) {
      expect((await send(event)).statusCode).toBe(200);
    }
  });
});
