import type { CustomerSettings } from './settings.ts';

/** An integrator account: its settings and the digests of its API credentials. */
export interface Customer {
  customerId: string;
  name: string;
  settings: CustomerSettings;
  createdAt: string;
  /**
   * The callback signing secrets (`whsec_…`), newest first: one, or two while a rotated-out one is
   * still within its grace period (epoch ms `expiresAt`); every callback carries a signature by each.
   */
  webhookSecrets?: WebhookSecret[];
}

export interface WebhookSecret {
  secret: string;
  createdAt: string;
  expiresAt?: number;
}

/** The secrets to sign with at `now`: those not past their grace period. */
export function signingSecrets(customer: Customer, now: Date): string[] {
  return (customer.webhookSecrets ?? [])
    .filter((entry) => entry.expiresAt === undefined || entry.expiresAt > now.getTime())
    .map((entry) => entry.secret);
}

/** An API credential as stored: the token's and the secret's SHA-256 digests, never the values. */
export interface StoredCredential {
  tokenHash: string;
  secretHash: string;
  customerId: string;
  /** The token's first characters, so a person can tell credentials apart in a list. */
  tokenHint: string;
  createdAt: string;
  /** Epoch ms; set on a rotated-out credential that keeps working for a grace period. */
  expiresAt?: number;
}

/** What the integrator receives once, at creation or rotation. */
export interface IssuedCredential {
  apiToken: string;
  apiSecret: string;
}
