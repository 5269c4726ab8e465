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

  it('requires the User-Agent header, and states Accept and Content-Type through the media types', () => {
    const post = document.paths['/api/v4/initiate'].post;
    const headers = post.parameters.filter((parameter: { in: string }) => parameter.in === 'header');
    // OpenAPI 3.1 ignores header parameters named Accept, Content-Type and Authorization.
    expect(
      headers.map((parameter: { name: string; required: boolean }) => [parameter.name, parameter.required]),
    ).toEqual([['User-Agent', true]]);
    expect(Object.keys(post.requestBody.content)).toEqual(['application/json']);
    expect(post.responses['406'].description).toMatch(/Accept/);
    expect(post.responses['415'].description).toMatch(/Content-Type/);
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

    // An optional field may be sent as null (it counts as absent): its rules are on the other branch.
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON
    const field = (name: string): any => {
      const property = schema.properties[name];
      if (property.anyOf === undefined) return property;
      expect(property.anyOf).toContainEqual({ type: 'null' });
      return property.anyOf.find((branch: { type?: string }) => branch.type !== 'null');
    };

    it('states the seed limits', () => {
      for (const name of ['customerInternalReference', 'userReference', 'reportingCriteria']) {
        expect(field(name).maxLength).toBe(100);
      }
      expect(field('successUrl').maxLength).toBe(2047);
      expect(field('errorUrl').maxLength).toBe(255);
      expect(field('callbackUrl').maxLength).toBe(255);
      expect(field('locale').maxLength).toBe(5);
      expect(field('tokenLifetimeInMinutes')).toMatchObject({ minimum: 5, maximum: 86400 });
      expect(field('presets').maxItems).toBe(2);
    });

    it('lists the workflowId table and the locales', () => {
      expect(field('workflowId').enum).toEqual([100, 101, 102, 200, 201, 202]);
      expect(field('locale').enum).toEqual(expect.arrayContaining(['en', 'en-GB', 'zh-HK', 'hr']));
      expect(field('locale').enum).toHaveLength(39);
    });

    it('states the URL and preset rules it can express', () => {
      for (const name of ['successUrl', 'errorUrl', 'callbackUrl']) {
        expect(field(name)).toMatchObject({ format: 'uri', pattern: '^https://' });
      }
      const idPreset = document.components.schemas.IdPreset;
      expect(idPreset.properties.country).toMatchObject({ maxLength: 3, pattern: '^[A-Z]{3}$' });
      expect(idPreset.properties.type.enum).toEqual(['PASSPORT', 'DRIVING_LICENSE', 'ID_CARD']);
      expect(document.components.schemas.IdentityPreset.properties.phrase.maxLength).toBe(30);
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
    expect([...error.required].sort()).toEqual(['error', 'errorCode', 'message']);
    expect(error.properties.error.const).toBe('session_rejected');
    expect(JSON.stringify(error.properties.errorCode)).toMatch(/9200/);
    expect(JSON.stringify(error.properties.errorCode)).toMatch(/9210/);
  });
});
