import { DataFields, DEFAULT_DATA_FIELDS } from './callback.ts';
import { ValidationError } from './errors.ts';
import { locale, redirectUrl, tokenLifetimeInMinutes } from './fields.ts';
import type { InitiateRequest, Presets } from './initiate-request.ts';
import { DOMAIN_PREFIX_MAX_LENGTH } from './journey-url.ts';
import type { Locale } from './locales.ts';
import {
  CAPTURE_METHODS,
  type CaptureMethod,
  VERIFICATION_TYPES,
  type VerificationType,
  WORKFLOWS,
  type WorkflowId,
  workflowIdOf,
} from './workflows.ts';
import * as z from './zod.ts';

/**
 * A customer's settings (seed 003, "Application settings"), with the portal's defaults until the
 * portal exists: token lifetime 30 minutes, locale `en`, capture by camera and upload. Unknown keys
 * are refused, as in the initiate request: a misspelt `defaultlocale` must not quietly mean English.
 */
export const CustomerSettings = z.strictObject({
  callbackUrl: z.optional(redirectUrl(255)),
  successUrl: z.optional(redirectUrl(2047)),
  errorUrl: z.optional(redirectUrl(255)),
  captureMethod: z._default(z.enum(CAPTURE_METHODS), 'CAMERA_AND_UPLOAD'),
  /** Used when the request names no workflow. */
  verificationType: z._default(z.enum(VERIFICATION_TYPES), 'ID_ONLY'),
  /** Netverify requires Identity Verification to be enabled before an ID + Identity workflow is used. */
  identityVerificationEnabled: z._default(z.boolean(), true),
  skipIntro: z._default(z.boolean(), false),
  tokenLifetimeInMinutes: z._default(tokenLifetimeInMinutes, 30),
  /** Which extracted fields callbacks and retrievals return (seed 003, "Data settings"). */
  dataFields: z._default(DataFields, DEFAULT_DATA_FIELDS),
  /**
   * Days after creation at which a transaction's images and data are purged, or `forever` (seed 003,
   * "Data retention": 360 days by default). Shortening it purges what falls outside at the next run.
   */
  retentionDays: z._default(
    z.union([z.int().check(z.minimum(1), z.maximum(36_500)), z.literal('forever')]),
    360,
  ),
  /** Whether DENIED_FRAUD transactions are purged too (seed 003: excluded by default). */
  purgeFraudTransactions: z._default(z.boolean(), false),
  defaultLocale: z._default(locale, 'en'),
  domainPrefix: z.optional(
    z.string().check(
      z.maxLength(DOMAIN_PREFIX_MAX_LENGTH),
      z.regex(/^(?!-)[a-z0-9-]+(?<!-)$/, {
        message: 'must use a-z, 0-9 and -, and not start or end with -',
      }),
    ),
  ),
});
export type CustomerSettings = z.output<typeof CustomerSettings>;

/**
 * Settings as read back from the store. A record written before a setting existed reads with that
 * setting's default; keys this version does not know (written by a newer one during a deploy) are
 * dropped rather than refused; and the URLs, valid under the policy of the day they were saved, are
 * not judged again, so a policy tightened since never locks a customer out (the portal re-checks a
 * URL when it is edited).
 */
export const StoredCustomerSettings = z.object({
  ...CustomerSettings.shape,
  callbackUrl: z.optional(z.string()),
  successUrl: z.optional(z.string()),
  errorUrl: z.optional(z.string()),
});

export const DEFAULT_SETTINGS: CustomerSettings = CustomerSettings.parse({});

/** What a transaction runs with: the request's values over the customer's settings. */
export interface TransactionOptions {
  workflowId: WorkflowId;
  verificationType: VerificationType;
  captureMethod: CaptureMethod;
  locale: Locale;
  tokenLifetimeInMinutes: number;
  skipIntro: boolean;
  successUrl?: string;
  errorUrl?: string;
  callbackUrl?: string;
  presets?: Presets;
  /** The customer's retention when the transaction was created (it sets the record's TTL). */
  retentionDays?: number | 'forever';
  purgeFraudTransactions?: boolean;
}

/** Values in the request override the customer's settings (seed 000). Pure. */
export function resolveOptions(settings: CustomerSettings, request: InitiateRequest): TransactionOptions {
  const workflow =
    request.workflowId !== undefined
      ? WORKFLOWS[request.workflowId]
      : { verificationType: settings.verificationType, captureMethod: settings.captureMethod };

  if (workflow.verificationType === 'ID_AND_IDENTITY' && !settings.identityVerificationEnabled) {
    throw new ValidationError([
      {
        field: 'workflowId',
        rule: 'identity-verification-disabled',
        message: 'ID + Identity workflows need Identity Verification to be enabled for this account',
      },
    ]);
  }
  if (workflow.verificationType === 'ID_ONLY' && request.presets?.some((preset) => preset.index === 2)) {
    throw new ValidationError([
      {
        field: 'presets',
        rule: 'requires-identity-verification',
        message: 'the Identity Verification preset (index 2) needs an ID + Identity workflow (200–202)',
      },
    ]);
  }

  return {
    workflowId: workflowIdOf(workflow),
    verificationType: workflow.verificationType,
    captureMethod: workflow.captureMethod,
    locale: request.locale ?? settings.defaultLocale,
    tokenLifetimeInMinutes: request.tokenLifetimeInMinutes ?? settings.tokenLifetimeInMinutes,
    skipIntro: settings.skipIntro,
    successUrl: request.successUrl ?? settings.successUrl,
    errorUrl: request.errorUrl ?? settings.errorUrl,
    callbackUrl: request.callbackUrl ?? settings.callbackUrl,
    presets: request.presets?.length ? request.presets : undefined,
    retentionDays: settings.retentionDays,
    purgeFraudTransactions: settings.purgeFraudTransactions,
  };
}
