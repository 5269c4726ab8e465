import type { CustomerSettings } from './settings.ts';

/** An integrator account: its settings and the digests of its API credentials. */
export interface Customer {
  customerId: string;
  name: string;
  settings: CustomerSettings;
  createdAt: string;
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
