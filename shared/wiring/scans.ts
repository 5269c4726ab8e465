import { dynamoCallbackLog } from '#adapters/callback-log';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { QueueUrl, readConfig } from '#shared/config';
import { type Authenticate, createAuthenticator } from '#use-cases/authenticate';
import { systemClock } from '#use-cases/ports';
import type { ScansDeps } from '#use-cases/scans';
import { ImagesConfig } from './journey.ts';
import { s3ImagesOnFirstUse, sqsQueueOnFirstUse } from './on-demand.ts';

/**
 * The retrieval, delete and callback-log APIs' adapters, and their Basic auth. One bundle serves
 * ten functions, and seven of them read only the table: the image store (an image, a delete) and the
 * callback queue (a replay) are built on first use (`./on-demand.ts`).
 */
export function scansDeps(env: NodeJS.ProcessEnv = process.env): ScansDeps & { auth: Authenticate } {
  const config = readConfig(z.extend(ImagesConfig, { QUEUE_URL_CALLBACK: QueueUrl }), env);
  const db = documentClient(config);
  return {
    transactions: dynamoTransactionRepository(db, config.TABLE_NAME, systemClock),
    images: s3ImagesOnFirstUse(config),
    log: dynamoCallbackLog(db, config.TABLE_NAME),
    callbackQueue: sqsQueueOnFirstUse(config, config.QUEUE_URL_CALLBACK),
    clock: systemClock,
    auth: createAuthenticator({
      customers: dynamoCustomerRepository(db, config.TABLE_NAME, systemClock),
      clock: systemClock,
    }),
  };
}
