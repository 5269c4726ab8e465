import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { SAMPLE_INITIATE_REQUEST } from '#domain/initiate-request';
import type { HttpResponse } from '#http/responses';
import { createCustomer } from '#use-cases/manage-customers';
import { systemClock } from '#use-cases/ports';
import { LOCAL_REGION } from '../../local/resources.ts';
import { apiEvent, basic, lambdaContext } from '../unit/api-events.ts';
import { freshTable } from './fixtures.ts';

/**
 * The deployed handlers (functions/api/*.ts, with their real adapters on DynamoDB Local) answer what
 * the OpenAPI document they serve says, status by status, checked with a JSON Schema validator
 * against the document itself: a schema that drifts from the code fails here.
 */

type Handler = (event: unknown, context: unknown) => Promise<HttpResponse>;
let handlers: { initiate: Handler; session: Handler; openapi: Handler };
let credential: { apiToken: string; apiSecret: string };
// biome-ignore lint/suspicious/noExplicitAny: the served document, read as plain JSON
let document: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

beforeAll(async () => {
  const table = await freshTable();
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    DYNAMODB_ENDPOINT: table.endpoint,
    TABLE_NAME: table.tableName,
    PUBLIC_BASE_URL: 'https://verify.example.com',
  });
  ({ credential } = await createCustomer(
    { customers: dynamoCustomerRepository(table.db, table.tableName, systemClock), clock: systemClock },
    { name: 'Bank' },
  ));
  const load = async (name: string) =>
    ((await import(`../../functions/api/${name}.ts`)) as { handler: Handler }).handler;
  handlers = {
    initiate: await load('initiate'),
    session: await load('session'),
    openapi: await load('openapi'),
  };
  const served = await handlers.openapi(
    apiEvent({ method: 'GET', path: '/api/v4/openapi.json', headers: {} }),
    lambdaContext(),
  );
  document = JSON.parse(String(served.body));
  ajv.addSchema(document, 'openapi.json');
});

/** Asserts the response matches the document's schema for its route and status. */
function expectDocumented(path: string, method: string, response: HttpResponse) {
  const documented = document.paths[path][method].responses[String(response.statusCode)];
  expect(documented, `${method} ${path} documents ${response.statusCode}`).toBeDefined();
  const schema = documented.content['application/json'].schema;
  const validate = ajv.compile({ $ref: `openapi.json${schema.$ref ?? ''}`, ...(schema.$ref ? {} : schema) });
  const body = JSON.parse(String(response.body));
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  return body;
}

const initiateEvent = (body: unknown, headers: Record<string, string | undefined> = {}) =>
  apiEvent({
    body: JSON.stringify(body),
    with: { authorization: basic(credential.apiToken, credential.apiSecret), ...headers },
  });

const sessionEvent = (token: string) =>
  apiEvent({ method: 'GET', path: '/api/v4/session', headers: { authorization: `Bearer ${token}` } });

describe('POST /api/v4/initiate answers as documented', () => {
  it('200 for the sample request, and the session it opens', async () => {
    const created = expectDocumented(
      '/api/v4/initiate',
      'post',
      await handlers.initiate(initiateEvent(SAMPLE_INITIATE_REQUEST), lambdaContext()),
    );
    const token = new URL(created.redirectUrl).searchParams.get('authorizationToken') ?? '';
    const session = await handlers.session(sessionEvent(token), lambdaContext());
    expect(session.statusCode).toBe(200);
    expectDocumented('/api/v4/session', 'get', session);
  });

  it.each([
    ['400', initiateEventOf({ customerInternalReference: 'x' })],
    ['401', () => apiEvent({ body: '{}', with: { authorization: basic('nobody', 'nothing') } })],
    ['406', initiateEventOf(SAMPLE_INITIATE_REQUEST, { accept: 'text/html' })],
    ['413', initiateEventOf({ customerInternalReference: 'x'.repeat(20_000) })],
    ['415', initiateEventOf(SAMPLE_INITIATE_REQUEST, { 'content-type': 'text/plain' })],
  ])('%s', async (status, event) => {
    const response = await handlers.initiate(event(), lambdaContext());
    expect(String(response.statusCode)).toBe(status);
    expectDocumented('/api/v4/initiate', 'post', response);
  });
});

describe('GET /api/v4/session answers as documented', () => {
  it('401 with error 9200 for a token that is not one', async () => {
    const response = await handlers.session(sessionEvent('x'.repeat(64)), lambdaContext());
    expect(response.statusCode).toBe(401);
    expect(expectDocumented('/api/v4/session', 'get', response).errorCode).toBe(9200);
  });
});

function initiateEventOf(body: unknown, headers: Record<string, string | undefined> = {}) {
  return () => initiateEvent(body, headers);
}
