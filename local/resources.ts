import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CREATED_INDEX, DUE_INDEX, KEY, TTL_ATTRIBUTE } from '#adapters/dynamodb';
import { deadLetterName, type QueueDefinition } from '#shared/queues';

/**
 * Creates what `infra/` creates in AWS, on the local servers, when missing: the table with its TTL
 * and stream,
 * the image bucket, each queue with its dead-letter queue. Safe to run on every start.
 */

export const LOCAL_REGION = 'us-east-1';
// s3rver knows one access key, S3RVER; the other servers accept any.
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** infra/constructs/stateful.ts declares the same indexes (shared/adapters/dynamodb.ts). */
const INDEXES: Array<{ definition: GlobalSecondaryIndex; attributes: AttributeDefinition[] }> = [
  DUE_INDEX,
  CREATED_INDEX,
].map((index) => ({
  definition: {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partition, KeyType: 'HASH' },
      { AttributeName: index.sort, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  },
  attributes: [
    { AttributeName: index.partition, AttributeType: 'S' },
    { AttributeName: index.sort, AttributeType: 'S' },
  ],
}));

/** infra/constructs/stateful.ts gives the table the same stream: new images, for the outbox's filter. */
const STREAM = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } as const;

export async function ensureTable(
  endpoint: string,
  tableName: string,
  { ttl: withTtl = true }: { ttl?: boolean } = {},
): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: KEY.partition, AttributeType: 'S' },
          { AttributeName: KEY.sort, AttributeType: 'S' },
          { AttributeName: DUE_INDEX.partition, AttributeType: 'S' },
          { AttributeName: CREATED_INDEX.partition, AttributeType: 'S' },
          { AttributeName: CREATED_INDEX.sort, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: KEY.partition, KeyType: 'HASH' },
          { AttributeName: KEY.sort, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: INDEXES.map((index) => index.definition),
        StreamSpecification: STREAM,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // A table kept from an earlier version (a data dir in .local) gets the stream the outbox reads
  // (shared/streams.ts) and the indexes it lacks.
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.StreamSpecification?.StreamEnabled) {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
  }
  for (const index of INDEXES) {
    if (Table?.GlobalSecondaryIndexes?.some((existing) => existing.IndexName === index.definition.IndexName))
      continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: index.attributes,
        GlobalSecondaryIndexUpdates: [{ Create: index.definition }],
      }),
    );
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (withTtl && ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  }
  client.destroy();
}

export async function ensureBucket(endpoint: string, bucketName: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  client.destroy();
}

/**
 * Creates the queue and its DLQ when missing, and gives both the definition's attributes; answers the
 * queue's URL. CreateQueue is idempotent only for identical attributes: given them, it would refuse
 * (QueueNameExists) a queue that a kept data dir holds from an earlier definition. So it creates by
 * name alone and sets the attributes apart, every time.
 */
export async function ensureQueue(endpoint: string, queue: QueueDefinition, prefix: string): Promise<string> {
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const dlqUrl = await upsertQueue(client, `${prefix}-${deadLetterName(queue)}`, {
      MessageRetentionPeriod: String(14 * 24 * 3600),
    });
    const dlqArn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    if (!dlqArn) throw new Error(`No ARN for queue ${deadLetterName(queue)}`);
    return await upsertQueue(client, `${prefix}-${queue.name}`, {
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(queue.retentionDays * 24 * 3600),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
    });
  } finally {
    client.destroy();
  }
}

async function upsertQueue(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`No URL for queue ${name}`);
  await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  return QueueUrl;
}

/** The bucket's CORS rule, as infra/ sets it: pages of `origins` may upload by presigned POST. */
export async function allowUploadsFrom(
  endpoint: string,
  bucketName: string,
  origins: string[],
): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    await client.send(
      new PutBucketCorsCommand({
        Bucket: bucketName,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: origins,
              AllowedMethods: ['POST', 'PUT'],
              AllowedHeaders: ['*'],
              ExposeHeaders: ['ETag'],
              MaxAgeSeconds: 3600,
            },
          ],
        },
      }),
    );
  } finally {
    client.destroy();
  }
}
