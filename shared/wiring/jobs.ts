import { documentClient } from '#adapters/dynamodb';
import { dynamoJobCursors } from '#adapters/job-cursors';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { readConfig, TableConfig } from '#shared/config';
import type { DropOffDeps } from '#use-cases/drop-offs';
import { systemClock } from '#use-cases/ports';

/** The scheduled jobs' adapters. */
export function dropOffDeps(env: NodeJS.ProcessEnv = process.env): DropOffDeps {
  const config = readConfig(
    z.extend(TableConfig, { QUEUE_URL_CALLBACK: z.string().check(z.minLength(1)) }),
    env,
  );
  const db = documentClient(config);
  return {
    transactions: dynamoTransactionRepository(db, config.TABLE_NAME, systemClock),
    cursors: dynamoJobCursors(db, config.TABLE_NAME),
    callbackQueue: sqsWorkQueue(sqsClient(config), config.QUEUE_URL_CALLBACK),
    clock: systemClock,
  };
}
