import { describe, expect, it } from 'vitest';
import { forwardedMessage, inputTemplate, matchesPattern, STREAM_FORWARDS } from '#shared/streams';

/**
 * The outbox's filter, as the local forwarder applies it and the pipe is given it: which changes of
 * the table queue a verification, and the message each becomes.
 */

const [submitted] = STREAM_FORWARDS;
const REFERENCE = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** A stream record as DynamoDB Streams gives it (NEW_IMAGE). */
function record(
  eventName: string,
  image: Record<string, string> | undefined,
  sk = 'TRANSACTION',
): Record<string, unknown> {
  return {
    eventName,
    dynamodb: {
      Keys: { pk: { S: `TX#${REFERENCE}` }, sk: { S: sk } },
      ...(image
        ? { NewImage: Object.fromEntries(Object.entries(image).map(([name, value]) => [name, { S: value }])) }
        : {}),
    },
  };
}

describe('the submitted forward', () => {
  it('matches a transaction record modified to SUBMITTED', () => {
    expect(
      matchesPattern(submitted.pattern, record('MODIFY', { reference: REFERENCE, state: 'SUBMITTED' })),
    ).toBe(true);
  });

  it.each([
    ['created SUBMITTED (performNetverify queues its own)', record('INSERT', { state: 'SUBMITTED' })],
    ['another state', record('MODIFY', { state: 'STARTED' })],
    ['a finished one', record('MODIFY', { state: 'DONE' })],
    [
      "the drop-off job's resend (it sends itself)",
      record('MODIFY', { state: 'SUBMITTED', verifyQueuedAt: '2026-11-27T10:00:00.000Z' }),
    ],
    ['an erased record (no state)', record('MODIFY', { deletedAt: '2026-11-27T10:00:00.000Z' })],
    ['a removal', record('REMOVE', undefined)],
    ['another item of the partition', record('MODIFY', { state: 'SUBMITTED' }, 'ATTEMPT#1')],
    ['no image at all', { eventName: 'MODIFY' }],
  ])('does not match %s', (_, change) => {
    expect(matchesPattern(submitted.pattern, change)).toBe(false);
  });

  it("sends the new image's reference, as the pipe's template does", () => {
    expect(
      forwardedMessage(submitted, record('MODIFY', { reference: REFERENCE, state: 'SUBMITTED' }) as never),
    ).toEqual({ reference: REFERENCE });
    expect(forwardedMessage(submitted, record('MODIFY', { state: 'SUBMITTED' }) as never)).toBeUndefined();
    expect(inputTemplate(submitted)).toBe('{"reference": "<$.dynamodb.NewImage.reference.S>"}');
  });
});
