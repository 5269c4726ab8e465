import { dynamoCreationIndex } from '#adapters/creation-index';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { dynamoJobCursors } from '#adapters/job-cursors';
import { s3Client, s3ImageStore } from '#adapters/s3-image-store';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { QueueUrl, readConfig, TableConfig } from '#shared/config';
import type { DropOffDeps } from '#use-cases/drop-offs';
import { systemClock } from '#use-cases/ports';
import type { RetentionDeps } from '#use-cases/retention';

/** The scheduled jobs' adapters. */
export function dropOffDeps(env: NodeJS.ProcessEnv = process.env): DropOffDeps {
  const config = readConfig(
    z.extend(TableConfig, {
      QUEUE_URL_CALLBACK: QueueUrl,
      QUEUE_URL_VERIFY: QueueUrl,
      BUCKET_NAME: z.string().check(z.minLength(1)),
    }),
    env,
  );
  const db = documentClient(config);
  const sqs = sqsClient(config);
  return {
    transactions: dynamoTransactionRepository(db, config.TABLE_NAME, systemClock),
    images: s3ImageStore(s3Client(config), config.BUCKET_NAME),
    cursors: dynamoJobCursors(db, config.TABLE_NAME),
    callbackQueue: sqsWorkQueue(sqs, config.QUEUE_URL_CALLBACK),
    verifyQueue: sqsWorkQueue(sqs, config.QUEUE_URL_VERIFY),
    clock: systemClock,
  };
}

export function retentionDeps(env: NodeJS.ProcessEnv = process.env): RetentionDeps {
  const config = readConfig(z.extend(TableConfig, { BUCKET_NAME: z.string().check(z.minLength(1)) }), env);
  const db = documentClient(config);
  return {
    customers: dynamoCustomerRepository(db, config.TABLE_NAME, systemClock),
    transactions: dynamoTransactionRepository(db, config.TABLE_NAME, systemClock),
    index: dynamoCreationIndex(db, config.TABLE_NAME),
    images: s3ImageStore(s3Client(config), config.BUCKET_NAME),
    clock: systemClock,
  };
}
