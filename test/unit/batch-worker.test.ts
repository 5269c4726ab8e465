import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from '#domain/zod';
import { batchWorker } from '#http/worker';

/** A queue consumer that takes the batch whole: which records it reports as failed, and which done. */

const record = (messageId: string, body: string) =>
  ({
    messageId,
    receiptHandle: messageId,
    body,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
  }) as unknown as SQSEvent['Records'][number];

const context = { getRemainingTimeInMillis: () => 30_000, functionName: 'test' } as unknown as Context;
const failed = (response: unknown) =>
  (response as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures.map(
    (failure) => failure.itemIdentifier,
  );

describe('batchWorker', () => {
  const Message = z.object({ n: z.int() });

  it('hands over the valid messages; fails the unparseable, the errors and the unanswered', async () => {
    let seen: unknown[] = [];
    const handler = batchWorker({ message: Message }).handle(async (messages) => {
      seen = messages;
      // The first done, the second an error, the third without an answer.
      return ['done', new Error('receiver down')];
    });
    const response = await handler(
      {
        Records: [
          record('a', '{"n":1}'),
          record('bad', 'not json'),
          record('b', '{"n":2}'),
          record('c', '{"n":3}'),
        ],
      },
      context,
    );
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(failed(response).sort()).toEqual(['b', 'bad', 'c']);
  });

  it('fails every message when the run throws, whatever it throws', async () => {
    const handler = batchWorker({ message: Message }).handle(async () => {
      throw 'not an Error';
    });
    const response = await handler({ Records: [record('a', '{"n":1}'), record('b', '{"n":2}')] }, context);
    expect(failed(response).sort()).toEqual(['a', 'b']);
  });
});
