import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger. Log lines carry ids, routes, status codes and timings, never request bodies,
 * headers, references or tokens (DESIGN.md: no PII in logs).
 */
export const logger = new Logger({ serviceName: 'openverify' });
