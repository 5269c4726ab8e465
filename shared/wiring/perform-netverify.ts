import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { s3Client, s3ImageStore } from '#adapters/s3-image-store';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { QueueUrl, readConfig } from '#shared/config';
import { type Authenticate, createAuthenticator } from '#use-cases/authenticate';
import type { PerformNetverifyDeps, PerformNetverifyUploadsDeps } from '#use-cases/perform-netverify';
import { systemClock } from '#use-cases/ports';
import { ImagesConfig } from './journey.ts';

/** performNetverify's adapters and Basic auth: the submission, and the presigned uploads before it. */

export function performNetverifyDeps(
  env: NodeJS.ProcessEnv = process.env,
): PerformNetverifyDeps & { auth: Authenticate } {
  const config = readConfig(
    z.extend(ImagesConfig, { QUEUE_URL_VERIFY: QueueUrl, QUEUE_URL_CALLBACK: QueueUrl }),
    env,
  );
  const db = documentClient(config);
  const sqs = sqsClient(config);
  return {
    transactions: dynamoTransactionRepository(db, config.TABLE_NAME, systemClock),
    images: s3ImageStore(s3Client(config), config.BUCKET_NAME),
    verifyQueue: sqsWorkQueue(sqs, config.QUEUE_URL_VERIFY),
    callbackQueue: sqsWorkQueue(sqs, config.QUEUE_URL_CALLBACK),
    clock: systemClock,
    newId: randomUUID,
    auth: basicAuth(db, config.TABLE_NAME),
  };
}

export function performNetverifyUploadsDeps(
  env: NodeJS.ProcessEnv = process.env,
): PerformNetverifyUploadsDeps & { auth: Authenticate } {
  const config = readConfig(ImagesConfig, env);
  const s3 = s3Client(config);
  const signer = config.S3_PUBLIC_ENDPOINT ? s3Client(config, config.S3_PUBLIC_ENDPOINT) : s3;
  return {
    images: s3ImageStore(s3, config.BUCKET_NAME, signer),
    clock: systemClock,
    newId: randomUUID,
    auth: basicAuth(documentClient(config), config.TABLE_NAME),
  };
}

function basicAuth(db: DynamoDBDocumentClient, tableName: string): Authenticate {
  return createAuthenticator({
    customers: dynamoCustomerRepository(db, tableName, systemClock),
    clock: systemClock,
  });
}
