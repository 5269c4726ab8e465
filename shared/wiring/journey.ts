import { randomUUID } from 'node:crypto';
import { documentClient } from '#adapters/dynamodb';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { QueueUrl, readConfig, TableConfig } from '#shared/config';
import type { JourneyDeps } from '#use-cases/journey';
import { type ImageInspector, type ImageStore, systemClock, type WorkQueue } from '#use-cases/ports';

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
  QUEUE_URL_CALLBACK: QueueUrl,
});

const JourneyConfig = z.extend(ImagesConfig, QueuesConfig.shape);
export type JourneyConfig = z.output<typeof JourneyConfig>;

/**
 * The journey's adapters. Each entry passes the S3 and SQS adapters its function uses (from
 * `./images.ts` and `./work-queues.ts`, imported by the entry): a bundle evaluates every module it
 * carries at cold start, and the S3 and SQS clients are a good part of that (bench/README.md). An
 * upload and a submission never send to a queue (the table's stream queues a submission), a
 * submission never reads an image, and only the acceptance loop judges images (the others must not
 * carry sharp: they do not install it); what a function does not use is an adapter that refuses to
 * be used.
 */
export function journeyDeps({
  inspector = NO_INSPECTOR,
  images,
  callbackQueue,
  env = process.env,
}: {
  inspector?: ImageInspector;
  images?: (config: JourneyConfig) => ImageStore;
  callbackQueue?: (config: JourneyConfig) => WorkQueue;
  env?: NodeJS.ProcessEnv;
} = {}): JourneyDeps {
  const config = readConfig(JourneyConfig, env);
  return {
    transactions: dynamoTransactionRepository(documentClient(config), config.TABLE_NAME, systemClock),
    images: images?.(config) ?? NO_IMAGES,
    inspector,
    callbackQueue: callbackQueue?.(config) ?? NO_QUEUE,
    clock: systemClock,
    newId: randomUUID,
  };
}

const unused = (what: string) => () => Promise.reject(new Error(`this function ${what}`));

const NO_INSPECTOR: ImageInspector = {
  intake: unused('judges no images'),
  usability: unused('judges no images'),
};

const NO_IMAGES: ImageStore = {
  presignUpload: unused('stores no images'),
  get: unused('stores no images'),
  put: unused('stores no images'),
  deletePrefix: unused('stores no images'),
};

const NO_QUEUE: WorkQueue = { send: unused('sends to no queue') };
