import { isCountryCode } from './countries.ts';
import { locale, optional, redirectUrl, reference, tokenLifetimeInMinutes } from './fields.ts';
import { WORKFLOW_IDS } from './workflows.ts';
import * as z from './zod.ts';

/**
 * The body of `POST /api/v4/initiate` (seed 000, "Request body"), every rule of the field table.
 * Unknown fields are refused rather than ignored: a misspelt `callbackURL` would otherwise lose the
 * integrator's callbacks without a word. An optional field sent as `null` counts as absent, and so
 * does an empty `presets` list (the seed allows presets "for neither").
 */

export const ID_TYPES = ['PASSPORT', 'DRIVING_LICENSE', 'ID_CARD'] as const;
export type IdType = (typeof ID_TYPES)[number];

export const IdPreset = z
  .strictObject({
    index: z.literal(1),
    country: z.string().check(
      z.maxLength(3),
      z.refine(isCountryCode, {
        message: 'must be an ISO 3166-1 alpha-3 country code or XKX',
        params: { rule: 'country-code' },
      }),
      z.meta({ pattern: '^[A-Z]{3}$', example: 'AUT' }),
    ),
    type: z.enum(ID_TYPES),
  })
  .register(z.globalRegistry, {
    id: 'IdPreset',
    description: 'Preset country and document type; skips the selection screen.',
  });

export const IdentityPreset = z
  .strictObject({
    index: z.literal(2),
    phrase: z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(30),
        z.regex(/^[A-Za-z0-9 ]+$/, { message: 'must use Latin letters, digits and spaces only' }),
      ),
  })
  .register(z.globalRegistry, {
    id: 'IdentityPreset',
    description: 'Preset Liveness Detection phrase (ID + Identity workflows).',
  });

export const Presets = z
  .array(
    z.discriminatedUnion('index', [IdPreset, IdentityPreset], {
      error: 'must be 1 (country and document type) or 2 (liveness phrase)',
    }),
  )
  .check(
    z.maxLength(2),
    z.refine((presets) => new Set(presets.map((preset) => preset.index)).size === presets.length, {
      message: 'must not repeat a preset index',
      params: { rule: 'unique-index' },
    }),
  );
export type Presets = z.output<typeof Presets>;

/** The manual's sample request (seed 000, "Sample request"): the OpenAPI example, and the tests' and bench's body. */
export const SAMPLE_INITIATE_REQUEST = {
  customerInternalReference: 'transaction_1234',
  userReference: 'user_1234',
  successUrl: 'https://www.yourcompany.com/success',
  errorUrl: 'https://www.yourcompany.com/error',
  callbackUrl: 'https://www.yourcompany.com/callback',
  reportingCriteria: 'myReport1234',
  workflowId: 200,
  presets: [
    { index: 1, country: 'AUT', type: 'PASSPORT' },
    { index: 2, phrase: 'MY CUSTOM PHRASE' },
  ],
  locale: 'en-GB',
} as const;

export const InitiateRequest = z
  .strictObject({
    customerInternalReference: reference(100).check(
      z.meta({
        description: 'Your internal reference for the transaction. No PII.',
        example: 'transaction_1234',
      }),
    ),
    userReference: reference(100).check(
      z.meta({ description: 'Your internal reference for the user. No PII.', example: 'user_1234' }),
    ),
    reportingCriteria: optional(reference(100)).check(z.meta({ example: 'myReport1234' })),
    successUrl: optional(redirectUrl(2047)).check(
      z.meta({
        description:
          'HTTPS URL the user is sent to after a successful journey; overrides the portal setting.',
        example: 'https://www.yourcompany.com/success',
      }),
    ),
    errorUrl: optional(redirectUrl(255)).check(
      z.meta({
        description:
          'HTTPS URL the user is sent to after an unsuccessful journey; overrides the portal setting.',
        example: 'https://www.yourcompany.com/error',
      }),
    ),
    callbackUrl: optional(redirectUrl(255)).check(
      z.meta({
        description: 'HTTPS URL that receives the verification result; overrides the portal setting.',
        example: 'https://www.yourcompany.com/callback',
      }),
    ),
    workflowId: optional(z.literal(WORKFLOW_IDS)).check(
      z.meta({
        description: 'Verification type and capture method; overrides the portal setting.',
        example: 200,
      }),
    ),
    presets: optional(Presets),
    locale: optional(locale),
    tokenLifetimeInMinutes: optional(tokenLifetimeInMinutes).check(
      z.meta({
        description: 'Minutes until the authorization token expires (5–86400); overrides the portal setting.',
        example: 30,
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'InitiateRequest', example: SAMPLE_INITIATE_REQUEST });

export type InitiateRequest = z.output<typeof InitiateRequest>;

export const InitiateResponse = z
  .object({
    timestamp: z
      .string()
      .check(z.meta({ description: 'UTC, YYYY-MM-DDThh:mm:ss.SSSZ', example: '2018-07-03T08:23:12.494Z' })),
    transactionReference: z.uuid().check(z.meta({ example: '7c3e9a2d-6f41-4a57-9d0e-2b1f8c4d5e60' })),
    redirectUrl: z.string().check(
      z.maxLength(255),
      z.meta({
        example: 'https://yourcompany.openverify.example/web/v4/app?locale=en-GB&authorizationToken=…',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'InitiateResponse' });
export type InitiateResponse = z.output<typeof InitiateResponse>;
