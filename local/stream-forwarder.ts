import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { forwardedMessage, matchesPattern, STREAM_FORWARDS, type StreamForward } from '#shared/streams';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './resources.ts';

/**
 * The local stand-in for the EventBridge Pipe that turns the table's stream into queue messages
 * (shared/streams.ts): reads every shard of the table's stream in order, parents before children,
 * applies each forward's pattern, sends the matching changes' messages to their queue, and only
 * then remembers how far it got, in a checkpoint file. Stopped or killed between a send and its
 * checkpoint, it sends those messages again on the next start: at least once, as the pipe.
 */

export interface StreamForwarder {
  stop(): Promise<void>;
}

export interface StreamForwarderOptions {
  dynamodbEndpoint: string;
  tableName: string;
  sqs: SQSClient;
  /** Queue URLs by queue name; a forward whose queue is not here is skipped. */
  queueUrls: ReadonlyMap<string, string>;
  /** Where the shards' last forwarded sequence numbers are kept across restarts. */
  checkpointFile: string;
  forwards?: readonly StreamForward[];
  /** Pause between two reads of a shard that is not behind (the pipe polls about 4 times a second). */
  idleMs?: number;
  onError?: (error: unknown) => void;
}

interface Checkpoint {
  streamArn: string;
  /** The last sequence number forwarded, by shard; `closed` once a shard was read to its end. */
  shards: Record<string, string>;
}

const CLOSED = 'closed';
/** Changes a read asks for: GetRecords' most. */
const PAGE = 1000;

export async function startStreamForwarder(options: StreamForwarderOptions): Promise<StreamForwarder> {
  const client = { endpoint: options.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient(client);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  dynamodb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const streams = new DynamoDBStreamsClient(client);
  const forwards = (options.forwards ?? STREAM_FORWARDS).filter((forward) =>
    options.queueUrls.has(forward.queue),
  );

  const saved = readCheckpoint(options.checkpointFile);
  // A checkpoint of another stream (the table was made anew) says nothing about this one.
  const checkpoint: Checkpoint = saved?.streamArn === streamArn ? saved : { streamArn, shards: {} };
  const save = () => {
    const temporary = `${options.checkpointFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(checkpoint));
    renameSync(temporary, options.checkpointFile);
  };
  /** Iterators of the shards being read. */
  const iterators = new Map<string, string>();
  const abort = new AbortController();
  const idleMs = options.idleMs ?? 250;

  async function openShards(): Promise<void> {
    const shards: Shard[] = [];
    let from: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: from }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      from = StreamDescription?.LastEvaluatedShardId;
    } while (from);
    const known = new Set(shards.map((shard) => shard.ShardId));
    for (const shard of shards) {
      const id = shard.ShardId;
      if (!id || iterators.has(id) || checkpoint.shards[id] === CLOSED) continue;
      // A child shard waits for its parent to be read to its end (when the parent is still there).
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && checkpoint.shards[parent] !== CLOSED) continue;
      iterators.set(id, await iteratorFor(id));
    }
  }

  async function iteratorFor(shardId: string): Promise<string> {
    const after = checkpoint.shards[shardId];
    try {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ...(after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      if (!ShardIterator) throw new Error(`no iterator for shard ${shardId}`);
      return ShardIterator;
    } catch (error) {
      // The remembered position is past the stream's 24 hours: from the oldest change kept.
      if (!(error instanceof TrimmedDataAccessException) || !after) throw error;
      delete checkpoint.shards[shardId];
      return iteratorFor(shardId);
    }
  }

  /** One read of one shard: forwards what matches, then checkpoints; true when it read a full page. */
  async function readShard(shardId: string, iterator: string): Promise<boolean> {
    let answer: { Records?: StreamRecord[]; NextShardIterator?: string };
    try {
      answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: PAGE }));
    } catch (error) {
      if (!(error instanceof ExpiredIteratorException) && !(error instanceof TrimmedDataAccessException))
        throw error;
      iterators.set(shardId, await iteratorFor(shardId));
      return false;
    }
    const records = answer.Records ?? [];
    for (const forward of forwards) {
      const messages: Record<string, string>[] = [];
      for (const record of records) {
        const message = matchesPattern(forward.pattern, record)
          ? forwardedMessage(forward, record)
          : undefined;
        if (message) messages.push(message);
      }
      await sendAll(options.sqs, options.queueUrls.get(forward.queue) ?? '', messages);
    }
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (answer.NextShardIterator) {
      iterators.set(shardId, answer.NextShardIterator);
      if (last) checkpoint.shards[shardId] = last;
    } else {
      // The shard is closed and read to its end; its children may start.
      iterators.delete(shardId);
      checkpoint.shards[shardId] = CLOSED;
    }
    if (last || !answer.NextShardIterator) save();
    return records.length >= PAGE;
  }

  /** A pause that a stop cuts short. */
  const sleep = (ms: number) => delay(ms, undefined, { signal: abort.signal }).catch(() => undefined);

  const loop = async () => {
    let describedAt = 0;
    while (!abort.signal.aborted) {
      try {
        // New shards (DynamoDB rolls them over) are looked for every few seconds.
        if (Date.now() - describedAt > (iterators.size === 0 ? 1000 : 5000)) {
          await openShards();
          describedAt = Date.now();
        }
        // Behind by a full page or more: read on at once. Otherwise wait, so that each read carries
        // what came meanwhile (the pipe's batching window): one read of many changes costs little more
        // than one of a few.
        let busy = false;
        for (const [shardId, iterator] of [...iterators]) {
          if (await readShard(shardId, iterator)) busy = true;
        }
        if (!busy) await sleep(idleMs);
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onError?.(error);
        await sleep(1000);
      }
    }
  };
  const running = loop();

  return {
    async stop() {
      abort.abort();
      await running;
      streams.destroy();
    },
  };
}

async function sendAll(sqs: SQSClient, queueUrl: string, messages: Record<string, string>[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const entries = messages.slice(start, start + 10).map((message, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(message),
    }));
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
    // Not checkpointed: the whole read is forwarded again, as the pipe retries a failed batch.
    if (Failed.length > 0) throw new Error(`the queue refused ${Failed.length} forwarded messages`);
  }
}

function readCheckpoint(file: string): Checkpoint | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    return typeof parsed.streamArn === 'string' && typeof parsed.shards === 'object' && parsed.shards !== null
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}
