import { AcceptedIds, acceptsEverything, CATALOGUE_VERSION, DEFAULT_ACCEPTED_IDS } from './accepted-ids.ts';
import { Branding, type LocaleBranding, resolveBranding } from './branding.ts';
import { DataFields, DEFAULT_DATA_FIELDS } from './callback.ts';
import { type FieldIssue, ValidationError } from './errors.ts';
import { locale, redirectUrl, tokenLifetimeInMinutes } from './fields.ts';
import type { IdType, InitiateRequest, Presets } from './initiate-request.ts';
import { DOMAIN_PREFIX_MAX_LENGTH } from './journey-url.ts';
import type { Locale } from './locales.ts';
import { fieldIssues } from './validation.ts';
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
  /** Which countries' documents of which types are offered and accepted (shared/domain/accepted-ids.ts). */
  acceptedIds: z._default(AcceptedIds, DEFAULT_ACCEPTED_IDS),
  /** Colours and images per locale (shared/domain/branding.ts); none: the product's own look. */
  branding: z._default(Branding, {}),
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
  /**
   * The customer's accepted IDs when the transaction was created, absent when they accept
   * everything: the journey offers, and the worker accepts, only these (it never reads the customer).
   */
  acceptedIds?: AcceptedIds;
  /** The customer's branding resolved for `locale` (image file names), absent when there is none. */
  branding?: LocaleBranding;
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

  const locale = request.locale ?? settings.defaultLocale;
  const branding = resolveBranding(settings.branding, locale, settings.defaultLocale);
  return {
    workflowId: workflowIdOf(workflow),
    verificationType: workflow.verificationType,
    captureMethod: workflow.captureMethod,
    locale,
    tokenLifetimeInMinutes: request.tokenLifetimeInMinutes ?? settings.tokenLifetimeInMinutes,
    skipIntro: settings.skipIntro,
    successUrl: request.successUrl ?? settings.successUrl,
    errorUrl: request.errorUrl ?? settings.errorUrl,
    callbackUrl: request.callbackUrl ?? settings.callbackUrl,
    presets: request.presets?.length ? request.presets : undefined,
    retentionDays: settings.retentionDays,
    purgeFraudTransactions: settings.purgeFraudTransactions,
    ...(acceptsEverything(settings.acceptedIds) ? {} : { acceptedIds: settings.acceptedIds }),
    ...(Object.keys(branding).length > 0 ? { branding } : {}),
  };
}

/**
 * The operator's change to a customer's settings: each top-level key given replaces that setting
 * (validated as when the customer was created), `null` returns it to its default, the rest is kept
 * as stored (and not judged again, as `StoredCustomerSettings` explains). Pure.
 */
export function mergeSettings(current: CustomerSettings, patch: unknown): CustomerSettings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new ValidationError([{ field: 'settings', rule: 'type', message: 'must be a JSON object' }]);
  }
  const shape = CustomerSettings.shape as Record<string, z.core.$ZodType>;
  const issues: FieldIssue[] = [];
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const schema = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (schema === undefined) {
      issues.push({ field: `settings.${key}`, rule: 'unknown-field', message: 'is not a setting' });
      continue;
    }
    if (value === null) {
      delete merged[key];
      continue;
    }
    // Accepted IDs written now are written against today's catalogue of supported documents.
    const given =
      key === 'acceptedIds' && typeof value === 'object' && !('catalogueVersion' in value)
        ? { ...value, catalogueVersion: CATALOGUE_VERSION }
        : value;
    const input = { [key]: given };
    const result = z.safeParse(z.object({ [key]: schema }), input);
    if (result.success) merged[key] = result.data[key];
    else issues.push(...fieldIssues(result.error, input, 'settings.'));
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return StoredCustomerSettings.parse(merged);
}

/** The document the index-1 preset fixes, if any: its country and type. */
export function documentPreset(options: Pick<TransactionOptions, 'presets'>): {
  country?: string;
  idType?: IdType;
} {
  const preset = options.presets?.find((candidate) => candidate.index === 1);
  return preset && 'country' in preset ? { country: preset.country, idType: preset.type } : {};
}
