import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { KEY, TTL_ATTRIBUTE } from '#adapters/dynamodb';
import { deadLetterName, type QueueDefinition } from '#shared/queues';

/**
 * Creates what `infra/` creates in AWS, on the local servers, when missing: the table with its TTL,
 * the image bucket, each queue with its dead-letter queue. Safe to run on every start.
 */

export const LOCAL_REGION = 'us-east-1';
// s3rver knows one access key, S3RVER; the other servers accept any.
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: KEY.partition, AttributeType: 'S' },
          { AttributeName: KEY.sort, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: KEY.partition, KeyType: 'HASH' },
          { AttributeName: KEY.sort, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
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

/** Creates the queue and its DLQ; answers the queue's URL. CreateQueue is idempotent in SQS. */
export async function ensureQueue(endpoint: string, queue: QueueDefinition, prefix: string): Promise<string> {
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${deadLetterName(queue)}`,
      Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) },
    }),
  );
  const dlqArn = (
    await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const created = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${queue.name}`,
      Attributes: {
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(queue.retentionDays * 24 * 3600),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: queue.maxReceiveCount,
        }),
      },
    }),
  );
  client.destroy();
  if (!created.QueueUrl) throw new Error(`No URL for queue ${queue.name}`);
  return created.QueueUrl;
}
