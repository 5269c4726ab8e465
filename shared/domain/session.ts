import { acceptedDocuments } from './accepted-ids.ts';
import { brandingUrls } from './branding.ts';
import { ID_TYPES, Presets } from './initiate-request.ts';
import { LOCALES } from './locales.ts';
import type { Transaction } from './transaction.ts';
import { CAPTURE_METHODS, VERIFICATION_TYPES, WORKFLOW_IDS } from './workflows.ts';
import * as z from './zod.ts';

/** What the journey page receives when its authorization token is accepted. */
export const JourneySession = z
  .object({
    transactionReference: z.uuid(),
    customerInternalReference: z.string(),
    workflowId: z.union(WORKFLOW_IDS.map((id) => z.literal(id))),
    verificationType: z.enum(VERIFICATION_TYPES),
    captureMethod: z.enum(CAPTURE_METHODS),
    locale: z.enum(LOCALES),
    skipIntro: z.boolean(),
    presets: z.optional(Presets),
    expiresAt: z.string().check(z.meta({ description: 'When the authorization token expires (UTC).' })),
    successUrl: z.optional(z.string()),
    errorUrl: z.optional(z.string()),
    acceptedDocuments: z
      .array(z.object({ country: z.string(), region: z.string(), types: z.array(z.enum(ID_TYPES)) }))
      .check(
        z.meta({
          description:
            'The documents the user may choose: ISO 3166-1 alpha-3 (or XKX), the alpha-2 region for display names, the accepted types.',
        }),
      ),
    branding: z
      .object({
        primaryColor: z.optional(z.string().check(z.meta({ description: '#rrggbb' }))),
        secondaryColor: z.optional(z.string().check(z.meta({ description: '#rrggbb' }))),
        headerImage: z.optional(z.string().check(z.meta({ description: 'URL of the header image.' }))),
        successImage: z.optional(
          z.string().check(z.meta({ description: 'URL of the default success page image.' })),
        ),
        errorImage: z.optional(
          z.string().check(z.meta({ description: 'URL of the default error page image.' })),
        ),
      })
      .check(
        z.meta({
          description:
            "The customer's colours and images for the session's locale, each already resolved along the fallback order (locale, root language, customer default, English); empty: the product's own look. Images are same-origin URLs.",
        }),
      ),
  })
  .register(z.globalRegistry, { id: 'JourneySession' });
export type JourneySession = z.output<typeof JourneySession>;

export const SessionError = z
  .object({
    error: z.literal('session_rejected'),
    errorCode: z.union([z.literal(9200), z.literal(9210)]),
    message: z.string(),
  })
  .register(z.globalRegistry, { id: 'SessionError' });

export function journeySession(transaction: Transaction): JourneySession {
  const { options } = transaction;
  return {
    transactionReference: transaction.reference,
    customerInternalReference: transaction.customerInternalReference,
    workflowId: options.workflowId,
    verificationType: options.verificationType,
    captureMethod: options.captureMethod,
    locale: options.locale,
    skipIntro: options.skipIntro,
    ...(options.presets ? { presets: options.presets } : {}),
    expiresAt: new Date(transaction.tokenExpiresAt).toISOString(),
    ...(options.successUrl ? { successUrl: options.successUrl } : {}),
    ...(options.errorUrl ? { errorUrl: options.errorUrl } : {}),
    acceptedDocuments: acceptedDocuments(options.acceptedIds),
    branding: brandingUrls(transaction.customerId, options.branding),
  };
}
