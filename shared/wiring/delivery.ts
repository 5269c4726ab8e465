import { dynamoCallbackLog } from '#adapters/callback-log';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { createHttpCallbackSender } from '#adapters/http-callback-sender';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { RetryScheduleVariable, STANDARD_WEBHOOKS_SCHEDULE_SECONDS } from '#domain/callback';
import * as z from '#domain/zod';
import { QueueUrl, readConfig, TableConfig } from '#shared/config';
import { cachedCustomers, type DeliverDeps } from '#use-cases/deliver-callback';
import { systemClock } from '#use-cases/ports';

/** The callback deliverer's adapters. */

export const DeliveryConfig = z.extend(TableConfig, {
  QUEUE_URL_CALLBACK: QueueUrl,
  /** Comma-separated seconds before each attempt (tests, demos); Standard Webhooks' schedule by default. */
  OPENVERIFY_RETRY_SCHEDULE: z.optional(RetryScheduleVariable),
  /** Local development: every callback goes here instead, loopback allowed (like `stripe listen`). */
  OPENVERIFY_CALLBACK_FORWARD_TO: z.optional(z.url()),
});

export function deliverDeps(env: NodeJS.ProcessEnv = process.env): DeliverDeps {
  const config = readConfig(DeliveryConfig, env);
  const db = documentClient(config);
  return {
    transactions: dynamoTransactionRepository(db, config.TABLE_NAME, systemClock),
    customers: cachedCustomers(dynamoCustomerRepository(db, config.TABLE_NAME, systemClock), systemClock),
    log: dynamoCallbackLog(db, config.TABLE_NAME),
    sender: createHttpCallbackSender(
      config.OPENVERIFY_CALLBACK_FORWARD_TO ? { forwardTo: config.OPENVERIFY_CALLBACK_FORWARD_TO } : {},
    ),
    callbackQueue: sqsWorkQueue(sqsClient(config), config.QUEUE_URL_CALLBACK),
    clock: systemClock,
    schedule: config.OPENVERIFY_RETRY_SCHEDULE ?? STANDARD_WEBHOOKS_SCHEDULE_SECONDS,
  };
}
