import { documentClient } from '#adapters/dynamodb';
import { s3Client, s3ImageStore } from '#adapters/s3-image-store';
import { createSharpImageInspector } from '#adapters/sharp-image-inspector';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { QueueUrl, readConfig } from '#shared/config';
import { systemClock } from '#use-cases/ports';
import type { VerifyDeps } from '#use-cases/verify';
import { ImagesConfig } from './journey.ts';
import { documentProvider, faceProvider, providersConfig } from './providers.ts';

/**
 * The verification worker's adapters. The document and face engines are the offline ones unless the
 * deployment chooses AWS's (shared/wiring/providers.ts); each is loaded on first use.
 */
export function verifyDeps(env: NodeJS.ProcessEnv = process.env): VerifyDeps {
  const config = readConfig(z.extend(ImagesConfig, { QUEUE_URL_CALLBACK: QueueUrl }), env);
  const providers = providersConfig(env);
  const documents = documentProvider(providers);
  const face = faceProvider(providers);
  return {
    transactions: dynamoTransactionRepository(documentClient(config), config.TABLE_NAME, systemClock),
    images: s3ImageStore(s3Client(config), config.BUCKET_NAME),
    inspector: createSharpImageInspector(),
    mrz: documents.mrz,
    barcode: documents.barcode,
    ...(documents.printed ? { printed: documents.printed } : {}),
    faces: face.faces,
    identityThresholds: face.identityThresholds,
    callbackQueue: sqsWorkQueue(sqsClient(config), config.QUEUE_URL_CALLBACK),
    clock: systemClock,
  };
}
