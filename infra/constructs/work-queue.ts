import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterName, type QueueDefinition } from '#shared/queues';

export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * The consumer's timeout, derived from the queue table so the two cannot disagree: a sixth of the
 * visibility timeout, as AWS advises for SQS event sources (a message must not reappear while a
 * delivery, or Lambda's retries of a throttled batch, still runs). A consumer that needs longer
 * raises `visibilityTimeoutSeconds` in shared/queues.ts.
 */
export function consumerTimeout(definition: QueueDefinition): Duration {
  return Duration.seconds(Math.min(900, Math.max(1, Math.floor(definition.visibilityTimeoutSeconds / 6))));
}

export interface WorkQueueProps {
  definition: QueueDefinition;
  /** Where the dead-letter alarm reports; none in tests. */
  alarmAction?: IAlarmAction | undefined;
}

/** One entry of the queue table: the queue, its dead-letter queue, and an alarm on the dead letters. */
export class WorkQueue extends Construct {
  readonly definition: QueueDefinition;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Any dead letter is a message the system gave up on: someone must look (and replay it).
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: `Messages in ${deadLetterName(definition)}: inspect and replay them`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.deadLetterAlarm.addAlarmAction(props.alarmAction);
  }
}
