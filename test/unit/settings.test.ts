import { describe, expect, it } from 'vitest';
import { ValidationError } from '#domain/errors';
import { InitiateRequest } from '#domain/initiate-request';
import { CustomerSettings, DEFAULT_SETTINGS, resolveOptions, StoredCustomerSettings } from '#domain/settings';
import { WORKFLOWS, type WorkflowId } from '#domain/workflows';

/** The customer's settings and how a request's values override them (seed 000, seed 003). */

const request = (fields: Record<string, unknown> = {}) =>
  InitiateRequest.parse({
    customerInternalReference: 'transaction_1234',
    userReference: 'user_1234',
    ...fields,
  });

const settings = (fields: Record<string, unknown> = {}) => CustomerSettings.parse(fields);

const PORTAL = settings({
  callbackUrl: 'https://portal.example.com/callback',
  successUrl: 'https://portal.example.com/success',
  errorUrl: 'https://portal.example.com/error',
  captureMethod: 'UPLOAD_ONLY',
  verificationType: 'ID_AND_IDENTITY',
  skipIntro: true,
  tokenLifetimeInMinutes: 120,
  defaultLocale: 'de',
});

function validationIssues(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('DEFAULT_SETTINGS', () => {
  it("are the portal's defaults: 30 minutes, en, camera and upload", () => {
    expect(DEFAULT_SETTINGS).toEqual({
      captureMethod: 'CAMERA_AND_UPLOAD',
      verificationType: 'ID_ONLY',
      identityVerificationEnabled: true,
      skipIntro: false,
      tokenLifetimeInMinutes: 30,
      defaultLocale: 'en',
      dataFields: {
        idNumber: true,
        firstName: true,
        lastName: true,
        dateOfBirth: true,
        expiryDate: true,
        usState: true,
        personalNumber: true,
        mrzCheck: true,
      },
      retentionDays: 360,
      purgeFraudTransactions: false,
      acceptedIds: { default: 'ALL', acceptNewlySupported: true, catalogueVersion: 1 },
      branding: {},
    });
  });

  it('give workflow 100 to a request that names none', () => {
    expect(resolveOptions(DEFAULT_SETTINGS, request())).toEqual({
      workflowId: 100,
      verificationType: 'ID_ONLY',
      captureMethod: 'CAMERA_AND_UPLOAD',
      locale: 'en',
      tokenLifetimeInMinutes: 30,
      skipIntro: false,
      successUrl: undefined,
      errorUrl: undefined,
      callbackUrl: undefined,
      presets: undefined,
      retentionDays: 360,
      purgeFraudTransactions: false,
    });
  });
});

describe('CustomerSettings', () => {
  it('canonicalises the default locale', () => {
    expect(settings({ defaultLocale: 'pt-br' }).defaultLocale).toBe('pt-BR');
  });

  it.each([
    ['defaultLocale', 'xx'],
    ['tokenLifetimeInMinutes', 4],
    ['tokenLifetimeInMinutes', 86401],
    ['captureMethod', 'WEBCAM'],
    ['verificationType', 'IDENTITY'],
    ['callbackUrl', 'http://portal.example.com/callback'],
    ['successUrl', 'https://portal.example.com/?transactionStatus=1'],
    ['errorUrl', 'https://10.0.0.1/error'],
  ])('refuses %s = %j', (field, value) => {
    const result = CustomerSettings.safeParse({ [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });

  it.each([
    ['defaultlocale', 'de'],
    ['locale', 'de'],
    ['tokenLifetimeMinutes', 5],
  ])('refuses the unknown (misspelt) key %s rather than ignoring it', (key, value) => {
    const result = CustomerSettings.safeParse({ [key]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: [key] });
  });

  it('reads stored settings with the defaults of settings added since, ignoring keys it does not know', () => {
    const stored = { defaultLocale: 'de', settingOfANewerVersion: true };
    expect(StoredCustomerSettings.parse(stored)).toEqual({ ...DEFAULT_SETTINGS, defaultLocale: 'de' });
  });

  it.each(['acme', 'a', 'acme-eu-1', '0day', 'a'.repeat(63)])(
    'accepts the domain prefix %s',
    (domainPrefix) => {
      expect(settings({ domainPrefix }).domainPrefix).toBe(domainPrefix);
    },
  );

  it.each(['-acme', 'acme-', 'Acme', 'ac_me', 'ac.me', '', 'a'.repeat(64)])(
    'refuses the domain prefix %j',
    (domainPrefix) => {
      expect(CustomerSettings.safeParse({ domainPrefix }).success).toBe(false);
    },
  );
});

describe('resolveOptions: the request overrides the settings', () => {
  const full = request({
    successUrl: 'https://www.yourcompany.com/success',
    errorUrl: 'https://www.yourcompany.com/error',
    callbackUrl: 'https://www.yourcompany.com/callback',
    workflowId: 101,
    locale: 'en-GB',
    tokenLifetimeInMinutes: 5,
    presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }],
  });

  it.each([
    ['successUrl', 'https://www.yourcompany.com/success'],
    ['errorUrl', 'https://www.yourcompany.com/error'],
    ['callbackUrl', 'https://www.yourcompany.com/callback'],
    ['locale', 'en-GB'],
    ['tokenLifetimeInMinutes', 5],
    ['workflowId', 101],
    ['verificationType', 'ID_ONLY'],
    ['captureMethod', 'CAMERA_ONLY'],
  ] as const)('%s comes from the request', (field, value) => {
    expect(resolveOptions(PORTAL, full)[field]).toBe(value);
  });

  it('presets come from the request', () => {
    expect(resolveOptions(PORTAL, full).presets).toEqual([{ index: 1, country: 'AUT', type: 'PASSPORT' }]);
  });

  it('skipIntro always comes from the settings', () => {
    expect(resolveOptions(PORTAL, full).skipIntro).toBe(true);
    expect(resolveOptions(DEFAULT_SETTINGS, full).skipIntro).toBe(false);
  });
});

describe('resolveOptions: the settings fill in what the request omits', () => {
  it.each([
    ['successUrl', 'https://portal.example.com/success'],
    ['errorUrl', 'https://portal.example.com/error'],
    ['callbackUrl', 'https://portal.example.com/callback'],
    ['locale', 'de'],
    ['tokenLifetimeInMinutes', 120],
    ['skipIntro', true],
  ] as const)('%s comes from the settings', (field, value) => {
    expect(resolveOptions(PORTAL, request())[field]).toBe(value);
  });

  it('a request that overrides one URL keeps the settings for the others', () => {
    const options = resolveOptions(PORTAL, request({ errorUrl: 'https://www.yourcompany.com/error' }));
    expect(options.errorUrl).toBe('https://www.yourcompany.com/error');
    expect(options.successUrl).toBe('https://portal.example.com/success');
    expect(options.callbackUrl).toBe('https://portal.example.com/callback');
  });
});

describe('resolveOptions: workflows', () => {
  it.each(Object.keys(WORKFLOWS).map(Number) as WorkflowId[])(
    'workflowId %i drives the verification type and capture method',
    (workflowId) => {
      const options = resolveOptions(PORTAL, request({ workflowId }));
      expect(options.workflowId).toBe(workflowId);
      expect(options.verificationType).toBe(WORKFLOWS[workflowId].verificationType);
      expect(options.captureMethod).toBe(WORKFLOWS[workflowId].captureMethod);
    },
  );

  it.each([
    ['ID_ONLY', 'CAMERA_AND_UPLOAD', 100],
    ['ID_ONLY', 'CAMERA_ONLY', 101],
    ['ID_ONLY', 'UPLOAD_ONLY', 102],
    ['ID_AND_IDENTITY', 'CAMERA_AND_UPLOAD', 200],
    ['ID_AND_IDENTITY', 'CAMERA_ONLY', 201],
    ['ID_AND_IDENTITY', 'UPLOAD_ONLY', 202],
  ])(
    'without workflowId, settings %s + %s give workflow %i',
    (verificationType, captureMethod, workflowId) => {
      const options = resolveOptions(settings({ verificationType, captureMethod }), request());
      expect(options).toMatchObject({ workflowId, verificationType, captureMethod });
    },
  );

  it.each([200, 201, 202])(
    'workflow %i with Identity Verification disabled → identity-verification-disabled',
    (workflowId) => {
      const off = settings({ identityVerificationEnabled: false });
      expect(validationIssues(() => resolveOptions(off, request({ workflowId })))).toEqual([
        expect.objectContaining({ field: 'workflowId', rule: 'identity-verification-disabled' }),
      ]);
    },
  );

  it.each([100, 101, 102])('workflow %i with Identity Verification disabled is fine', (workflowId) => {
    const off = settings({ identityVerificationEnabled: false });
    expect(resolveOptions(off, request({ workflowId })).workflowId).toBe(workflowId);
  });

  it('an ID + Identity default with Identity Verification disabled is refused too', () => {
    const off = settings({ identityVerificationEnabled: false, verificationType: 'ID_AND_IDENTITY' });
    expect(validationIssues(() => resolveOptions(off, request()))[0]?.rule).toBe(
      'identity-verification-disabled',
    );
  });

  it.each([100, 101, 102])(
    'preset index 2 with ID-only workflow %i → requires-identity-verification',
    (workflowId) => {
      const body = request({ workflowId, presets: [{ index: 2, phrase: 'MY CUSTOM PHRASE' }] });
      expect(validationIssues(() => resolveOptions(DEFAULT_SETTINGS, body))).toEqual([
        expect.objectContaining({ field: 'presets', rule: 'requires-identity-verification' }),
      ]);
    },
  );

  it('preset index 2 without workflowId, on an ID-only account → requires-identity-verification', () => {
    const body = request({ presets: [{ index: 2, phrase: 'MY CUSTOM PHRASE' }] });
    expect(validationIssues(() => resolveOptions(DEFAULT_SETTINGS, body))[0]?.rule).toBe(
      'requires-identity-verification',
    );
  });

  it.each([200, 201, 202])('preset index 2 with ID + Identity workflow %i passes', (workflowId) => {
    const presets = [
      { index: 1, country: 'AUT', type: 'PASSPORT' },
      { index: 2, phrase: 'MY CUSTOM PHRASE' },
    ];
    expect(resolveOptions(DEFAULT_SETTINGS, request({ workflowId, presets })).presets).toEqual(presets);
  });

  it('preset index 1 alone is fine with an ID-only workflow', () => {
    const presets = [{ index: 1, country: 'XKX', type: 'ID_CARD' }];
    expect(resolveOptions(DEFAULT_SETTINGS, request({ workflowId: 100, presets })).presets).toEqual(presets);
  });

  it('does not change the settings it was given', () => {
    const before = structuredClone(PORTAL);
    resolveOptions(PORTAL, request({ workflowId: 201, locale: 'fr' }));
    expect(PORTAL).toEqual(before);
  });
});
