import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseOrThrow } from '#domain/validation';
import type * as z from '#domain/zod';
import { logger } from './logger.ts';

/**
 * The shape of every queue consumer, as `api()` is of every HTTP entry point: each record's JSON body
 * is parsed with the schema and handed to the handler; a record that throws is reported as a batch
 * item failure (SQS retries it, and after maxReceiveCount moves it to the dead-letter queue) and
 * never fails the others.
 *
 *   export const handler = worker({ message: VerifyMessage }).handle(({ message }) => verify(deps, message));
 */
export function worker<Message extends z.core.$ZodType>(spec: { message: Message }) {
  return {
    handle(run: (input: { message: z.output<Message>; record: SQSRecord }) => Promise<void>) {
      const processor = new BatchProcessor(EventType.SQS);
      const recordHandler = async (record: SQSRecord) => {
        try {
          await run({ message: parse(spec.message, record), record });
        } catch (error) {
          logFailure(record, error);
          throw error;
        }
      };
      const core = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
        processPartialResponse(event, recordHandler, processor, {
          context,
          throwOnFullBatchFailure: false,
        });
      return middy<SQSEvent, SQSBatchResponse, Error, Context>()
        .use(injectLambdaContext(logger, { resetKeys: true }))
        .handler(core);
    },
  };
}

/**
 * A queue consumer that takes the batch whole, for work that shares its storage round trips across
 * messages (the callback deliverer): each record is parsed as `worker` parses it, `run` gets the
 * valid ones and answers one result per message, an `Error` for each that failed. Failed, unparseable
 * and unanswered records are reported as batch item failures, the others are done.
 *
 *   export const handler = batchWorker({ message: CallbackMessage }).handle((messages) => deliverAll(deps, messages));
 */
export function batchWorker<Message extends z.core.$ZodType>(spec: { message: Message }) {
  return {
    handle(run: (messages: Array<z.output<Message>>) => Promise<ReadonlyArray<unknown>>) {
      const fail = (record: SQSRecord, error: unknown) => {
        logFailure(record, error);
        return { itemIdentifier: record.messageId };
      };
      const core = async (event: SQSEvent): Promise<SQSBatchResponse> => {
        const failures: SQSBatchResponse['batchItemFailures'] = [];
        const parsed: Array<{ record: SQSRecord; message: z.output<Message> }> = [];
        for (const record of event.Records) {
          try {
            parsed.push({ record, message: parse(spec.message, record) });
          } catch (error) {
            failures.push(fail(record, error));
          }
        }
        let results: ReadonlyArray<unknown>;
        try {
          results = await run(parsed.map(({ message }) => message));
        } catch (error) {
          results = parsed.map(() => (error instanceof Error ? error : new Error(String(error))));
        }
        parsed.forEach(({ record }, index) => {
          // No result is no proof of success: the message stays on the queue.
          const result = results[index] ?? new Error('no result for this message');
          if (result instanceof Error) failures.push(fail(record, result));
        });
        return { batchItemFailures: failures };
      };
      return middy<SQSEvent, SQSBatchResponse, Error, Context>()
        .use(injectLambdaContext(logger, { resetKeys: true }))
        .handler(core);
    },
  };
}

/** A record's JSON body, checked against the queue's message schema. */
function parse<Message extends z.core.$ZodType>(schema: Message, record: SQSRecord): z.output<Message> {
  return parseOrThrow(schema, JSON.parse(record.body) as unknown);
}

/** The reason goes to the log with the message id; the body may hold references only. */
function logFailure(record: SQSRecord, error: unknown): void {
  logger.error('message failed', {
    messageId: record.messageId,
    receiveCount: record.attributes.ApproximateReceiveCount,
    error: error as Error,
  });
}
