import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CREATED_INDEX, DUE_INDEX, KEY, TTL_ATTRIBUTE } from '#adapters/dynamodb';
import type { QueueDefinition } from '#shared/queues';
import { inputTemplate, STREAM_FORWARDS, type StreamForward } from '#shared/streams';
import { constructId } from './construct-id.ts';
import { WorkQueue } from './work-queue.ts';

export interface StatefulProps {
  queues: readonly QueueDefinition[];
  /** Origins whose pages upload images straight to the bucket (presigned POST or PUT). */
  uploadOrigins: string[];
  alarmAction?: IAlarmAction | undefined;
  /** The table's stream to the queues (default: shared/streams.ts's). */
  streamForwards?: readonly StreamForward[];
}

/**
 * Everything that holds data, in the data stack, apart from the functions so that a redeploy of code
 * never replaces it, and retained if the stack is deleted. Construct ids here are part of the data's
 * identity: renaming one replaces the resource.
 */
export class Stateful extends Construct {
  readonly table: Table;
  readonly images: Bucket;
  /**
   * Encrypts the images. Whoever reads them needs `kms:Decrypt` on it, and whoever signs an upload
   * URL `kms:GenerateDataKey`: `images.grantRead` and `grantPut` add those along with the S3 actions.
   */
  readonly imagesKey: Key;
  readonly queues: ReadonlyMap<string, WorkQueue>;

  constructor(scope: Construct, id: string, props: StatefulProps) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: KEY.partition, type: AttributeType.STRING },
      sortKey: { name: KEY.sort, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The outbox (shared/streams.ts): new images, all its filters read. local/resources.ts: the same.
      stream: StreamViewType.NEW_IMAGE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Transactions due to drop off, by minute (shared/adapters/dynamodb.ts); sparse, keys only.
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX.name,
      partitionKey: { name: DUE_INDEX.partition, type: AttributeType.STRING },
      sortKey: { name: DUE_INDEX.sort, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    // A customer's live transactions by creation time, for the retention job (shared/adapters/creation-index.ts
    // reads only their keys).
    this.table.addGlobalSecondaryIndex({
      indexName: CREATED_INDEX.name,
      partitionKey: { name: CREATED_INDEX.partition, type: AttributeType.STRING },
      sortKey: { name: CREATED_INDEX.sort, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });

    // Retained like the bucket (a deleted key makes every image unreadable); rotated yearly.
    this.imagesKey = new Key(this, 'ImagesKey', {
      description: 'openverify: the image bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.images = new Bucket(this, 'Images', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.imagesKey,
      // One data key per bucket rather than one KMS call per object: cheaper, and under KMS's quotas.
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      cors: [
        {
          allowedOrigins: props.uploadOrigins,
          allowedMethods: [HttpMethods.POST, HttpMethods.PUT],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3600,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const queues = new Map<string, WorkQueue>();
    for (const definition of props.queues) {
      queues.set(
        definition.name,
        new WorkQueue(this, constructId(definition.name), { definition, alarmAction: props.alarmAction }),
      );
    }
    this.queues = queues;

    for (const forward of props.streamForwards ?? STREAM_FORWARDS) this.forward(forward, props.alarmAction);
  }

  /**
   * An EventBridge Pipe from the table's stream to a queue: the changes the forward's pattern
   * matches, each as the forward's message. It retries a failed batch, then drops it: the drop-off
   * job sends a verification that never came again (use-cases/drop-offs.ts).
   */
  private forward(forward: StreamForward, alarmAction: IAlarmAction | undefined): void {
    const target = this.queues.get(forward.queue);
    // A queue table without the forward's queue (a test's synthetic one) has nothing for it to feed.
    if (!target) return;
    const streamArn = this.table.tableStreamArn;
    if (!streamArn) throw new Error('the table has no stream');
    const id = constructId(`${forward.name}-pipe`);
    const role = new Role(this, `${id}Role`, { assumedBy: new ServicePrincipal('pipes.amazonaws.com') });
    this.table.grantStreamRead(role);
    target.queue.grantSendMessages(role);
    const pipe = new CfnPipe(this, id, {
      description: `openverify: table stream → ${forward.queue} queue (${forward.name})`,
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          // From the oldest change kept: nothing written before the pipe ran is missed.
          startingPosition: 'TRIM_HORIZON',
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: 10,
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(forward.pattern) }] },
      },
      target: target.queue.queueArn,
      targetParameters: { inputTemplate: inputTemplate(forward) },
    });
    // The role's grants first: a pipe created before them fails its first reads.
    pipe.node.addDependency(role);
    // A failing pipe leaves every submission to the drop-off job's resend, 10 minutes late: page.
    const failed = new Alarm(this, `${id}FailedAlarm`, {
      alarmDescription: `The ${forward.name} pipe failed to send to ${forward.queue}: submissions wait for the drop-off job's resend`,
      metric: new Metric({
        namespace: 'AWS/EventBridge/Pipes',
        metricName: 'ExecutionFailed',
        dimensionsMap: { PipeName: pipe.ref },
        period: Duration.minutes(1),
        statistic: 'Sum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (alarmAction) failed.addAlarmAction(alarmAction);
  }
}
