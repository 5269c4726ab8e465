import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#http/openapi';

// biome-ignore lint/suspicious/noExplicitAny: the generated document is read as plain JSON
const document = JSON.parse(JSON.stringify(openApiDocument())) as any;

// biome-ignore lint/suspicious/noExplicitAny: as above
function resolve(schema: any): any {
  if (schema?.$ref === undefined) return schema;
  const name = String(schema.$ref).replace('#/components/schemas/', '');
  return document.components.schemas[name];
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and has no servers unless given one', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toBeUndefined();
    expect(openApiDocument('https://api.example.com').servers).toEqual([{ url: 'https://api.example.com' }]);
  });

  it('includes POST /api/v4/initiate with Basic auth', () => {
    const post = document.paths['/api/v4/initiate']?.post;
    expect(post).toBeDefined();
    expect(post.security).toEqual([{ basicAuth: [] }]);
    expect(document.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' });
  });

  it('requires the Accept and User-Agent headers', () => {
    const headers = document.paths['/api/v4/initiate'].post.parameters.filter(
      (parameter: { in: string }) => parameter.in === 'header',
    );
    expect(
      headers.map((parameter: { name: string; required: boolean }) => [parameter.name, parameter.required]),
    ).toEqual(
      expect.arrayContaining([
        ['Accept', true],
        ['User-Agent', true],
      ]),
    );
  });

  describe('the initiate request schema', () => {
    const schema = resolve(
      document.paths['/api/v4/initiate'].post.requestBody.content['application/json'].schema,
    );

    it('requires customerInternalReference and userReference, and only those', () => {
      expect([...schema.required].sort()).toEqual(['customerInternalReference', 'userReference']);
    });

    it('lists every field of the seed table and refuses others', () => {
      expect(Object.keys(schema.properties).sort()).toEqual(
        [
          'callbackUrl',
          'customerInternalReference',
          'errorUrl',
          'locale',
          'presets',
          'reportingCriteria',
          'successUrl',
          'tokenLifetimeInMinutes',
          'userReference',
          'workflowId',
        ].sort(),
      );
      expect(schema.additionalProperties).toBe(false);
    });

    it('states the seed limits', () => {
      for (const field of ['customerInternalReference', 'userReference', 'reportingCriteria']) {
        expect(schema.properties[field].maxLength).toBe(100);
      }
      expect(schema.properties.locale.maxLength).toBe(5);
      expect(schema.properties.tokenLifetimeInMinutes).toMatchObject({ minimum: 5, maximum: 86400 });
    });
  });

  it('answers with the initiate response: timestamp, transactionReference, redirectUrl ≤ 255', () => {
    const response = resolve(
      document.paths['/api/v4/initiate'].post.responses['200'].content['application/json'].schema,
    );
    expect([...response.required].sort()).toEqual(['redirectUrl', 'timestamp', 'transactionReference']);
    expect(response.properties.redirectUrl.maxLength).toBe(255);
  });

  it.each(['400', '401', '406', '413', '415'])('documents the %s response with the error body', (status) => {
    const response = document.paths['/api/v4/initiate'].post.responses[status];
    expect(response?.description).toEqual(expect.any(String));
    const body = resolve(response.content['application/json'].schema);
    expect(body.properties).toHaveProperty('error');
    expect(body.properties).toHaveProperty('errors');
  });

  it('the error body lists field, rule and message', () => {
    const fieldError = document.components.schemas.FieldError;
    expect([...fieldError.required].sort()).toEqual(['field', 'message', 'rule']);
  });

  it('documents the journey session check with 9200/9210', () => {
    const get = document.paths['/api/v4/session']?.get;
    expect(get.responses['200']).toBeDefined();
    const error = resolve(get.responses['401'].content['application/json'].schema);
    expect(JSON.stringify(error.properties.errorCode)).toMatch(/9200/);
    expect(JSON.stringify(error.properties.errorCode)).toMatch(/9210/);
  });
});
