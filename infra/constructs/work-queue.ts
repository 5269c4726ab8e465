import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterName, type QueueDefinition } from '#shared/queues';

export const DEAD_LETTER_RETENTION = Duration.days(14);

/** AWS's advice for SQS event sources: a visibility timeout at least six times the function's timeout. */
export const VISIBILITY_PER_TIMEOUT = 6;

/**
 * The consumer's timeout, derived from the queue table so the two cannot disagree: a sixth of the
 * visibility timeout, as AWS advises for SQS event sources (a message must not reappear while a
 * delivery, or Lambda's retries of a throttled batch, still runs). A consumer that needs longer
 * raises `visibilityTimeoutSeconds` in shared/queues.ts.
 */
export function consumerTimeout(definition: QueueDefinition): Duration {
  return Duration.seconds(
    Math.min(900, Math.max(1, Math.floor(definition.visibilityTimeoutSeconds / VISIBILITY_PER_TIMEOUT))),
  );
}

/** Refuses (at synth) a consumer whose queue's visibility timeout is under six times its timeout. */
export function assertVisibilityCovers(definition: QueueDefinition, consumerTimeout: Duration): void {
  const needed = VISIBILITY_PER_TIMEOUT * consumerTimeout.toSeconds();
  if (definition.visibilityTimeoutSeconds < needed) {
    throw new Error(
      `Queue ${definition.name}: visibilityTimeoutSeconds is ${definition.visibilityTimeoutSeconds}, but its ` +
        `consumer's timeout is ${consumerTimeout.toSeconds()} s and AWS advises at least ` +
        `${VISIBILITY_PER_TIMEOUT} times that (${needed} s): raise visibilityTimeoutSeconds in shared/queues.ts`,
    );
  }
}

/**
 * The age of the oldest message that alarms. A message received and failed over and over is dead
 * after about visibility timeout × max receives; one older than that has mostly waited, so nothing
 * drains the queue fast enough (no consumer, a disabled mapping, a throttled consumer, a backlog).
 * At least a quarter of an hour, for queues with short timeouts.
 */
export function maxMessageAge(definition: QueueDefinition): Duration {
  return Duration.seconds(
    Math.max(15 * 60, definition.visibilityTimeoutSeconds * definition.maxReceiveCount),
  );
}

export interface WorkQueueProps {
  definition: QueueDefinition;
  /** Where its alarms report. */
  alarmAction?: IAlarmAction | undefined;
}

/**
 * One entry of the queue table: the queue, its dead-letter queue, an alarm on the dead letters and
 * one on the age of the oldest message waiting.
 */
export class WorkQueue extends Construct {
  readonly definition: QueueDefinition;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly ageAlarm: Alarm;

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

    const maxAge = maxMessageAge(definition);
    this.ageAlarm = new Alarm(this, 'AgeAlarm', {
      alarmDescription: `The oldest message in ${definition.name} waited ${maxAge.toHumanString()} or more: is its consumer running?`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: maxAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.ageAlarm.addAlarmAction(props.alarmAction);
  }
}
