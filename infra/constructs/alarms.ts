import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The serving path's alarms, all to the alarm topic, all quiet when there is no traffic
 * (`notBreaching`: a region nobody calls is not an incident). The work queues' own alarms (dead
 * letters, age of the oldest message) are in work-queue.ts, next to the queues.
 */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * Handlers turn every failure they expect into a response, so a Lambda error is a crash or a
 * timeout, and a throttle is a request that never ran: one is enough.
 */
export const FUNCTION_ERRORS_THRESHOLD = 1;
export const FUNCTION_THROTTLES_THRESHOLD = 1;

/**
 * API Gateway 5xx in one period: the 500s handlers answer for unexpected errors (which Lambda does
 * not count as errors) and integration failures. A few, not one: a transient DynamoDB error is
 * answered with a 500 the integrator retries.
 */
export const API_5XX_THRESHOLD = 5;

/**
 * p99 of the API's latency, for three periods in a row: the functions time out at 10 s, and a
 * single cold start (about a second) must not page anyone.
 */
export const API_P99_LATENCY = Duration.seconds(3);
export const API_LATENCY_PERIODS = 3;

function alarm(
  scope: Construct,
  id: string,
  action: IAlarmAction,
  props: { metric: Metric; threshold: number; evaluationPeriods?: number; description: string },
): Alarm {
  const created = new Alarm(scope, id, {
    alarmDescription: props.description,
    metric: props.metric,
    threshold: props.threshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: props.evaluationPeriods ?? 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  created.addAlarmAction(action);
  return created;
}

/** Errors and throttles of one function. */
export class FunctionAlarms extends Construct {
  readonly errors: Alarm;
  readonly throttles: Alarm;

  constructor(scope: Construct, id: string, props: { fn: LambdaFunction; action: IAlarmAction }) {
    super(scope, id);
    const { fn, action } = props;
    const what = fn.node.id;
    this.errors = alarm(this, 'Errors', action, {
      metric: fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: FUNCTION_ERRORS_THRESHOLD,
      description: `${what} failed (an uncaught error or a timeout): see its log group`,
    });
    this.throttles = alarm(this, 'Throttles', action, {
      metric: fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: FUNCTION_THROTTLES_THRESHOLD,
      description: `${what} was throttled: the account's Lambda concurrency is exhausted`,
    });
  }
}

/** Server errors and tail latency of the HTTP API. */
export class ApiAlarms extends Construct {
  readonly serverErrors: Alarm;
  readonly latency: Alarm;

  constructor(scope: Construct, id: string, props: { httpApi: IHttpApi; action: IAlarmAction }) {
    super(scope, id);
    const { httpApi, action } = props;
    this.serverErrors = alarm(this, 'ServerErrors', action, {
      metric: httpApi.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: API_5XX_THRESHOLD,
      description: `The API answered ${API_5XX_THRESHOLD} or more 5xx in ${ALARM_PERIOD.toMinutes()} minutes`,
    });
    this.latency = alarm(this, 'Latency', action, {
      metric: httpApi.metricLatency({ period: ALARM_PERIOD, statistic: 'p99' }),
      threshold: API_P99_LATENCY.toMilliseconds(),
      evaluationPeriods: API_LATENCY_PERIODS,
      description: `The API's p99 latency stayed at ${API_P99_LATENCY.toSeconds()} s or more for ${
        API_LATENCY_PERIODS * ALARM_PERIOD.toMinutes()
      } minutes`,
    });
  }
}

/** Callbacks that integrators are not getting: from the deliverer's log lines, by metric filters. */
export const CALLBACK_RETRIES_THRESHOLD = 50;

export class CallbackAlarms extends Construct {
  readonly deadLetters: Alarm;
  readonly retries: Alarm;

  constructor(scope: Construct, id: string, props: { logGroup: ILogGroup; action: IAlarmAction }) {
    super(scope, id);
    const count = (name: string, step: string) =>
      new MetricFilter(this, `${name}Filter`, {
        logGroup: props.logGroup,
        filterPattern: FilterPattern.all(
          FilterPattern.stringValue('$.message', '=', 'callback'),
          FilterPattern.stringValue('$.step', '=', step),
        ),
        metricNamespace: 'openverify',
        metricName: name,
        metricValue: '1',
        defaultValue: 0,
      }).metric({ period: ALARM_PERIOD, statistic: 'Sum' });
    this.deadLetters = alarm(this, 'DeadLetters', props.action, {
      metric: count('CallbackDeadLetters', 'dead-lettered'),
      threshold: 1,
      description: 'A callback ran out of attempts: replay it with `npm run admin -- replay-dead-letters`',
    });
    this.retries = alarm(this, 'Retries', props.action, {
      metric: count('CallbackRetries', 'retry-scheduled'),
      threshold: CALLBACK_RETRIES_THRESHOLD,
      description: `${CALLBACK_RETRIES_THRESHOLD} or more callback attempts failed in ${ALARM_PERIOD.toMinutes()} minutes: a receiver is down or refusing`,
    });
  }
}
