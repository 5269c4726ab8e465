import { randomUUID } from 'node:crypto';
import { documentClient } from '#adapters/dynamodb';
import { s3Client, s3ImageStore } from '#adapters/s3-image-store';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { QueueUrl, readConfig, TableConfig } from '#shared/config';
import type { JourneyDeps } from '#use-cases/journey';
import { type ImageInspector, systemClock } from '#use-cases/ports';

/**
 * Where adapters are chosen and built from the environment, at cold start: one module per family
 * of entry points, so that each bundle carries only what its functions use.
 */

export const ImagesConfig = z.extend(TableConfig, {
  BUCKET_NAME: z.string().check(z.minLength(1)),
  /** Local only: the S3 endpoint as a browser reaches it, for presigned uploads. */
  S3_PUBLIC_ENDPOINT: z.optional(z.url()),
});

export const QueuesConfig = z.object({
  QUEUE_URL_VERIFY: QueueUrl,
  QUEUE_URL_CALLBACK: QueueUrl,
});

/**
 * The journey's adapters. Only the acceptance loop judges images: its entry passes the sharp
 * inspector, and the others (which must not carry sharp: they do not install it) get one that
 * refuses to be used.
 */
export function journeyDeps(
  inspector: ImageInspector = NO_INSPECTOR,
  env: NodeJS.ProcessEnv = process.env,
): JourneyDeps {
  const config = readConfig(z.extend(ImagesConfig, QueuesConfig.shape), env);
  const s3 = s3Client(config);
  const signer = config.S3_PUBLIC_ENDPOINT ? s3Client(config, config.S3_PUBLIC_ENDPOINT) : s3;
  const sqs = sqsClient(config);
  return {
    transactions: dynamoTransactionRepository(documentClient(config), config.TABLE_NAME, systemClock),
    images: s3ImageStore(s3, config.BUCKET_NAME, signer),
    inspector,
    verifyQueue: sqsWorkQueue(sqs, config.QUEUE_URL_VERIFY),
    callbackQueue: sqsWorkQueue(sqs, config.QUEUE_URL_CALLBACK),
    clock: systemClock,
    newId: randomUUID,
  };
}

const NO_INSPECTOR: ImageInspector = {
  intake: () => Promise.reject(new Error('this function judges no images')),
  usability: () => Promise.reject(new Error('this function judges no images')),
};
