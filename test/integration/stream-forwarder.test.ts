import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { sha256 } from '#domain/secrets';
import { submitRule } from '#domain/submit-rule';
import type { Transaction } from '#domain/transaction';
import { STREAM_FORWARDS, type StreamForward } from '#shared/streams';
import { ensureQueue, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';
import {
  type StreamForwarder,
  type StreamForwarderOptions,
  startStreamForwarder,
} from '../../local/stream-forwarder.ts';
import { APPROVED, at, CREATED, capture, freshTable, MINUTE, manualClock, transaction } from './fixtures.ts';

/**
 * The local stand-in for the stream's EventBridge Pipe, against DynamoDB Local's stream and fauxqs:
 * a journey's submission gives one verify message and no other write gives any, the checkpoint
 * file carries a restart on from where it stopped (and is not moved past what could not be sent),
 * and a forwarder with no checkpoint of its stream reads the stream from its start.
 */

const sqs = new SQSClient({
  endpoint: inject('sqsEndpoint'),
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
afterAll(() => sqs.destroy());

/** Every forwarder a test started, stopped after it whatever happened; and the temporary dirs. */
const running: StreamForwarder[] = [];
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((forwarder) => forwarder.stop()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const SUBMISSION = {
  document: { country: 'AUT', idType: 'PASSPORT' as const },
  embedded: false,
  at: at(CREATED + 5 * MINUTE),
};

/** A fresh table with its stream, a queue of its own, a checkpoint file, and the transactions' writes. */
async function scene() {
  const table = await freshTable();
  const queueUrl = await ensureQueue(
    inject('sqsEndpoint'),
    {
      name: `forwarded-${randomUUID().slice(0, 8)}`,
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 3,
      batchSize: 10,
      retentionDays: 1,
    },
    'test',
  );
  const directory = mkdtempSync(join(tmpdir(), 'openverify-stream-'));
  directories.push(directory);
  const checkpointFile = join(directory, 'stream-checkpoint.json');
  const repo = dynamoTransactionRepository(table.db, table.tableName, manualClock());
  const errors: unknown[] = [];

  async function startForwarder(overrides: Partial<StreamForwarderOptions> = {}) {
    const forwarder = await startStreamForwarder({
      dynamodbEndpoint: table.endpoint,
      tableName: table.tableName,
      sqs,
      queueUrls: new Map([['verify', queueUrl]]),
      checkpointFile,
      idleMs: 50,
      onError: (error) => errors.push(error),
      ...overrides,
    });
    running.push(forwarder);
    return forwarder;
  }

  /** A started transaction, as openSession leaves it, with its front image accepted. */
  async function started(overrides: Partial<Transaction> = {}) {
    const tx = transaction(overrides);
    await repo.create(tx);
    await repo.markStarted(
      tx.reference,
      at(CREATED),
      CREATED + 360 * 24 * 60 * MINUTE,
      CREATED + 15 * MINUTE,
      submitRule(tx.options),
    );
    expect(
      await repo.recordCapture(
        tx.reference,
        'front',
        capture(tx.reference, 'front', CREATED + MINUTE),
        CREATED + 16 * MINUTE,
      ),
    ).toBe(true);
    return tx;
  }

  /** A journey's submission, the plain transition: STARTED → SUBMITTED. */
  async function submitted() {
    const tx = await started();
    expect(await repo.submit(tx.reference, SUBMISSION)).toBe(true);
    return tx.reference;
  }

  /** The stream ARN the forwarder reads. */
  async function streamArn() {
    const client = new DynamoDBClient({
      endpoint: table.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
      return Table?.LatestStreamArn;
    } finally {
      client.destroy();
    }
  }

  return { table, queueUrl, checkpointFile, repo, errors, startForwarder, started, submitted, streamArn };
}

/**
 * The references of the verify messages the queue gives (each deleted once received): until every
 * one of `expected` came (or `timeoutMs` passed), and then for `drainMs` more, so that a message
 * beyond them (one too many, or one twice) is seen too.
 */
async function receiveReferences(
  queueUrl: string,
  expected: readonly string[],
  { timeoutMs = 10_000, drainMs = 300 } = {},
): Promise<string[]> {
  const references: string[] = [];
  const deadline = Date.now() + timeoutMs;
  let drainUntil: number | undefined;
  for (;;) {
    if (drainUntil === undefined && expected.every((reference) => references.includes(reference)))
      drainUntil = Date.now() + drainMs;
    if (Date.now() > (drainUntil ?? deadline)) return references;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      continue;
    }
    for (const message of Messages) {
      // The consumer's message exactly: `{"reference": "<uuid>"}`, and nothing more.
      const body = JSON.parse(message.Body ?? '') as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['reference']);
      references.push(String(body.reference));
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
}

const sorted = (references: readonly string[]) => [...references].sort();

describe('stream forwarder', () => {
  it('forwards each submission once, by either write, as {"reference": …} on the forward’s queue', async () => {
    const { queueUrl, repo, errors, startForwarder, started, submitted } = await scene();
    await startForwarder();

    const plain = await submitted();
    // The one-write submission, its whole check in the condition.
    const token = randomUUID();
    const checked = await started({ tokenHash: sha256(token) });
    expect(
      await repo.submitChecked(
        checked.reference,
        { tokenHash: sha256(token), now: CREATED + 5 * MINUTE, sides: ['front'] },
        SUBMISSION,
      ),
    ).toBe(true);
    // A submission that did not apply (already SUBMITTED) wrote nothing, and sends nothing.
    expect(await repo.submit(plain, SUBMISSION)).toBe(false);

    expect(sorted(await receiveReferences(queueUrl, [plain, checked.reference]))).toEqual(
      sorted([plain, checked.reference]),
    );
    expect(errors).toEqual([]);
  });

  it('forwards no other write of a transaction: not its creation, start, images, refusals, resends, verdict, callback or erasure', async () => {
    const { table, queueUrl, repo, errors, startForwarder, started, submitted } = await scene();
    await startForwarder();

    // A journey up to its submission, and one that ends without any.
    const journey = await started();
    expect(await repo.recordRefusal(journey.reference, 'BLURRED', at(CREATED + 2 * MINUTE), 0)).toBe(1);
    const abandoned = await started();
    expect(await repo.finish(abandoned.reference, APPROVED, at(CREATED + 3 * MINUTE), 'FAILED')).toBe(true);
    await repo.markCallbackQueued(abandoned.reference, at(CREATED + 4 * MINUTE));
    // Created SUBMITTED (performNetverify, which queues its own message): an INSERT.
    const netverify = transaction({ state: 'SUBMITTED', submittedAt: at(CREATED) });
    await repo.create(netverify);
    // A submission, whose message is the only one so far.
    expect(await repo.submit(journey.reference, SUBMISSION)).toBe(true);
    expect(await receiveReferences(queueUrl, [journey.reference])).toEqual([journey.reference]);

    // Every later write of the submitted transaction leaves it SUBMITTED (the drop-off job's
    // resends, which send their message themselves) or moves it on.
    expect(
      await repo.markVerifyResent(journey.reference, at(CREATED + 15 * MINUTE), CREATED + 25 * MINUTE),
    ).toBe(true);
    expect(await repo.markVerifyResent(journey.reference, at(CREATED + 25 * MINUTE), undefined)).toBe(true);
    expect(await repo.markVerifyResent(netverify.reference, at(CREATED + 15 * MINUTE), undefined)).toBe(true);
    expect(await repo.finish(journey.reference, APPROVED, at(CREATED + 26 * MINUTE), 'DONE')).toBe(true);
    await repo.markCallbackQueued(journey.reference, at(CREATED + 27 * MINUTE));
    await repo.erase(journey.reference, at(CREATED + 28 * MINUTE));
    // Erased while still SUBMITTED: the deletion record has no state.
    const erased = await submitted();
    await repo.erase(erased, at(CREATED + 29 * MINUTE));
    // An item of another kind (not a transaction's record) written SUBMITTED, then changed.
    const other = { pk: `TX#${randomUUID()}`, sk: 'NOT_A_TRANSACTION' };
    await table.db.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...other, state: 'STARTED', reference: randomUUID() },
      }),
    );
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: other,
        UpdateExpression: 'SET #state = :submitted',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':submitted': 'SUBMITTED' },
      }),
    );
    // A later submission: the forwarder reads the stream's one shard in order, so once its message
    // is in, so is any that the writes above gave.
    const last = await submitted();

    expect(sorted(await receiveReferences(queueUrl, [erased, last]))).toEqual(sorted([erased, last]));
    expect(errors).toEqual([]);
  });

  it('restarted with its checkpoint file, forwards only what was written since it stopped', async () => {
    const { queueUrl, checkpointFile, repo, errors, startForwarder, submitted, streamArn } = await scene();
    const first = await startForwarder();
    const before = [await submitted(), await submitted()];
    expect(sorted(await receiveReferences(queueUrl, before))).toEqual(sorted(before));
    await first.stop();
    expect(JSON.parse(readFileSync(checkpointFile, 'utf8'))).toMatchObject({ streamArn: await streamArn() });

    // Written while no forwarder runs: a resend of a forwarded one (not forwarded) and two submissions.
    expect(await repo.markVerifyResent(before[0] ?? '', at(CREATED + 15 * MINUTE), undefined)).toBe(true);
    const meanwhile = [await submitted(), await submitted()];

    await startForwarder();
    const after = await submitted();
    expect(sorted(await receiveReferences(queueUrl, [...meanwhile, after]))).toEqual(
      sorted([...meanwhile, after]),
    );
    expect(errors).toEqual([]);
  });

  it('does not checkpoint a change whose message the queue refused: the next start sends it', async () => {
    const { queueUrl, checkpointFile, errors, startForwarder, submitted } = await scene();
    // Submitted first, so that the transaction's every change comes in the first read, which fails.
    const reference = await submitted();
    const missing = queueUrl.replace(/[^/]+$/, `test-missing-${randomUUID().slice(0, 8)}`);
    const failing = await startForwarder({ queueUrls: new Map([['verify', missing]]) });
    const deadline = Date.now() + 10_000;
    while (errors.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(errors).not.toEqual([]);
    await failing.stop();
    // Nothing checkpointed: no file, or one that holds no position of the stream's shard.
    if (existsSync(checkpointFile)) {
      expect(JSON.parse(readFileSync(checkpointFile, 'utf8')).shards).toEqual({});
    }

    errors.length = 0;
    await startForwarder();
    expect(await receiveReferences(queueUrl, [reference])).toEqual([reference]);
    expect(errors).toEqual([]);
  });

  it('with no checkpoint file, forwards the submissions made before it started (from the trim horizon)', async () => {
    const { queueUrl, checkpointFile, repo, errors, startForwarder, submitted } = await scene();
    const earlier = [await submitted(), await submitted()];
    await repo.markVerifyResent(earlier[0] ?? '', at(CREATED + 15 * MINUTE), undefined);
    expect(existsSync(checkpointFile)).toBe(false);

    await startForwarder();
    expect(sorted(await receiveReferences(queueUrl, earlier))).toEqual(sorted(earlier));
    expect(existsSync(checkpointFile)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('ignores a checkpoint of another stream (the table made anew): forwards from the trim horizon', async () => {
    const { queueUrl, checkpointFile, errors, startForwarder, submitted } = await scene();
    const first = await startForwarder();
    const forwarded = await submitted();
    expect(await receiveReferences(queueUrl, [forwarded])).toEqual([forwarded]);
    await first.stop();
    // The same shard positions, said of another stream.
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { streamArn: string; shards: object };
    expect(Object.keys(saved.shards)).toHaveLength(1);
    writeFileSync(checkpointFile, JSON.stringify({ ...saved, streamArn: `${saved.streamArn}-earlier` }));

    const meanwhile = await submitted();
    await startForwarder();
    expect(sorted(await receiveReferences(queueUrl, [forwarded, meanwhile]))).toEqual(
      sorted([forwarded, meanwhile]),
    );
    expect(errors).toEqual([]);
  });

  it('skips, without error, a forward whose queue it was given no URL for', async () => {
    const { queueUrl, errors, startForwarder, submitted } = await scene();
    const [verify] = STREAM_FORWARDS;
    const toCallback: StreamForward = { ...verify, name: 'submitted-callback', queue: 'callback' };
    await startForwarder({ forwards: [toCallback, verify] });

    const references = [await submitted(), await submitted()];
    expect(sorted(await receiveReferences(queueUrl, references))).toEqual(sorted(references));
    expect(errors).toEqual([]);
  });
});
