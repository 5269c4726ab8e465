import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { QUEUES, type QueueDefinition } from '#shared/queues';
import { ROUTES, type Route, type TableGrant } from '#shared/routes';
import { SCHEDULES, type ScheduleDefinition } from '#shared/schedules';
import { ApiAlarms, CallbackAlarms, FunctionAlarms } from './constructs/alarms.ts';
import { constructId } from './constructs/construct-id.ts';
import { OpenverifyFunction } from './constructs/function.ts';
import {
  journeyOrigins,
  PublicApi,
  type PublicHosts,
  publicHttpApi,
  wiresCustomDomain,
} from './constructs/public-api.ts';
import { Stateful } from './constructs/stateful.ts';
import { assertVisibilityCovers, consumerTimeout } from './constructs/work-queue.ts';
import { dataStackName, REGIONS, type RegionKey, stackName } from './regions.ts';

export const API_FUNCTION_TIMEOUT = Duration.seconds(10);

/** What a queue consumer may do in the table when its definition does not say (`table`). */
export const CONSUMER_TABLE_ACCESS: readonly TableGrant[] = [
  { actions: ['GetItem', 'UpdateItem'], keys: ['TX#'] },
];

export interface OpenverifyProps extends PublicHosts {
  /** Which deployment: picks the AWS region, and tags everything. */
  region: RegionKey;
  /** The route table; shared/routes.ts unless a test passes its own. */
  routes?: readonly Route[];
  /** The queue table; shared/queues.ts unless a test passes its own. */
  queues?: readonly QueueDefinition[];
  /** The scheduled jobs; shared/schedules.ts unless a test passes its own. */
  schedules?: readonly ScheduleDefinition[];
  /** Subscribed to the alarm topic when given (the subscription must be confirmed from the mail). */
  alarmEmail?: string | undefined;
  /** The verify worker's document reader: the offline engine (default) or Amazon Textract AnalyzeID. */
  documentProvider?: 'offline' | 'textract' | undefined;
  /** The verify worker's face matcher: the offline engine (default) or Amazon Rekognition. */
  faceProvider?: 'offline' | 'rekognition' | undefined;
}

/** What both stacks of a region share: the region, termination protection, the tags. */
function stackProps(region: RegionKey, description: string): StackProps {
  const tags = { project: 'openverify', region };
  return { env: { region: REGIONS[region] }, terminationProtection: true, tags, description };
}

function tag(stack: Stack, region: RegionKey): void {
  // Also on each resource in the template, not only through CloudFormation's stack tags.
  Tags.of(stack).add('project', 'openverify');
  Tags.of(stack).add('region', region);
}

/**
 * One region's openverify: the data stack (`openverify-eu-data`) and the service stack
 * (`openverify-eu`) that reads it. No lookups and no account: synthesizes offline, deploys to
 * whatever account the credentials at deploy time belong to.
 */
export function openverify(
  scope: Construct,
  props: OpenverifyProps,
): { dataStack: OpenverifyDataStack; stack: OpenverifyStack } {
  const dataStack = new OpenverifyDataStack(scope, dataStackName(props.region), props);
  const stack = new OpenverifyStack(scope, stackName(props.region), { ...props, dataStack });
  return { dataStack, stack };
}

/**
 * What must outlive any deployment of code: the table, the image bucket and its key, the queues,
 * the alarm topic (its subscriptions are confirmed by hand) and the API's own id (without a custom
 * domain it is the journey's host). Everything retained on delete, the stack itself protected from
 * termination. Deploying new code never updates this stack unless the data's shape changes.
 */
export class OpenverifyDataStack extends Stack {
  readonly data: Stateful;
  readonly httpApi: HttpApi;
  readonly alarms: Topic;
  readonly alarmsKey: Key;

  constructor(scope: Construct, id: string, props: OpenverifyProps) {
    super(
      scope,
      id,
      stackProps(props.region, `openverify (${props.region}): data: table, images, queues, alarm topic`),
    );
    tag(this, props.region);

    // CloudWatch must use the key to publish alarms to the topic, which AWS's managed SNS key
    // does not allow: hence a key of our own.
    this.alarmsKey = new Key(this, 'AlarmsKey', {
      description: 'openverify: the alarm topic',
      enableKeyRotation: true,
    });
    this.alarmsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarms = new Topic(this, 'Alarms', {
      displayName: `openverify ${props.region} alarms`,
      enforceSSL: true,
      masterKey: this.alarmsKey,
    });
    // The topic's policy replaces SNS's default one: say that this account's alarms may publish.
    this.alarms.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarms.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.formatArn({ service: 'cloudwatch', resource: 'alarm:*' }) },
        },
      }),
    );
    if (props.alarmEmail) this.alarms.addSubscription(new EmailSubscription(props.alarmEmail));
    // Its confirmed subscriptions would be lost with it.
    this.alarms.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.httpApi = publicHttpApi(this, 'Api', props);
    // Without a custom domain its id is the journey's host, in every redirectUrl already handed out.
    this.httpApi.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.data = new Stateful(this, 'Data', {
      queues: props.queues ?? QUEUES,
      uploadOrigins: journeyOrigins(props, this.httpApi),
      alarmAction: new SnsAction(this.alarms),
    });

    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'ImageBucketName', { value: this.data.images.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topicArn });
    const callbacks = this.data.queues.get('callback');
    // The admin CLI replays dead-lettered callbacks onto it (`replay-dead-letters --queue-url`).
    if (callbacks) new CfnOutput(this, 'CallbackQueueUrl', { value: callbacks.queue.queueUrl });
  }
}

export interface OpenverifyStackProps extends OpenverifyProps {
  /** The region's data stack, from `openverify()`. */
  dataStack: OpenverifyDataStack;
}

/**
 * The service: the API's stage, routes and domains, one function per route, one consumer per queue
 * with a `consumer`, and the serving path's alarms. Redeploy it freely; it holds no data.
 */
export class OpenverifyStack extends Stack {
  readonly dataStack: OpenverifyDataStack;
  /** The data it serves (in `dataStack`). */
  readonly data: Stateful;
  readonly api: PublicApi;
  readonly functions: ReadonlyMap<string, OpenverifyFunction>;
  readonly alarms: { api: ApiAlarms; functions: ReadonlyMap<string, FunctionAlarms> };

  private queue(name: string) {
    const workQueue = this.data.queues.get(name);
    if (!workQueue) throw new Error(`No queue ${name}`);
    return workQueue.queue;
  }

  constructor(scope: Construct, id: string, props: OpenverifyStackProps) {
    super(
      scope,
      id,
      stackProps(props.region, `openverify (${props.region}): identity verification API and workers`),
    );
    tag(this, props.region);
    const routes: readonly Route[] = props.routes ?? ROUTES;
    const queues: readonly QueueDefinition[] = props.queues ?? QUEUES;
    this.dataStack = props.dataStack;
    this.data = props.dataStack.data;
    const alarmAction = new SnsAction(props.dataStack.alarms);

    this.api = new PublicApi(this, 'Api', {
      httpApi: props.dataStack.httpApi,
      domainName: props.domainName,
      prefixedDomain: props.prefixedDomain,
      certificateArn: props.certificateArn,
      prefixedCertificateArn: props.prefixedCertificateArn,
    });

    const functions = new Map<string, OpenverifyFunction>();
    for (const route of routes) {
      const fn = new OpenverifyFunction(this, `${constructId(route.name)}Function`, {
        entry: route.entry,
        timeout: API_FUNCTION_TIMEOUT,
        description: `${route.method} ${route.path}`,
        ...(route.nodeModules ? { nodeModules: route.nodeModules } : {}),
        ...(route.memorySize ? { memorySize: route.memorySize } : {}),
        ...(route.journeyClient ? { journeyClient: true } : {}),
      });
      fn.bindTable(this.data.table, route.table ?? []);
      if (route.images) fn.bindImages(this.data.images, route.images);
      for (const name of route.sends ?? []) fn.bindQueue(name, this.queue(name));
      if (route.journeyHosts) {
        fn.bindJourneyHosts({
          publicBaseUrl: this.api.publicBaseUrl,
          prefixedBaseUrl: this.api.prefixedBaseUrl,
        });
      }
      this.api.addRoute(route, fn);
      functions.set(route.name, fn);
    }

    for (const definition of queues) {
      if (definition.consumer === undefined) continue;
      const workQueue = this.data.queues.get(definition.name);
      if (!workQueue) throw new Error(`No queue ${definition.name}`);
      const timeout = consumerTimeout(definition);
      assertVisibilityCovers(definition, timeout);
      const fn = new OpenverifyFunction(this, `${constructId(definition.name)}Consumer`, {
        entry: definition.consumer,
        timeout,
        description: `consumes the ${definition.name} queue`,
        ...(definition.memorySize ? { memorySize: definition.memorySize } : {}),
        ...(definition.nodeModules ? { nodeModules: definition.nodeModules } : {}),
      });
      fn.bindTable(this.data.table, definition.table ?? CONSUMER_TABLE_ACCESS);
      if (definition.images) fn.bindImages(this.data.images, definition.images);
      for (const name of definition.sends ?? []) fn.bindQueue(name, this.queue(name));
      if (definition.name === 'verify') bindProviders(fn, props);
      fn.addEventSource(
        new SqsEventSource(workQueue.queue, {
          batchSize: definition.batchSize,
          reportBatchItemFailures: true,
        }),
      );
      functions.set(`${definition.name}-consumer`, fn);
      if (definition.name === 'callback') {
        new CallbackAlarms(this, 'CallbackAlarms', { logGroup: fn.logGroup, action: alarmAction });
      }
    }
    for (const schedule of props.schedules ?? SCHEDULES) {
      const fn = new OpenverifyFunction(this, `${constructId(schedule.name)}Job`, {
        entry: schedule.entry,
        timeout: Duration.seconds(schedule.timeoutSeconds),
        description: `runs every ${schedule.everyMinutes} minute(s): ${schedule.name}`,
      });
      fn.bindTable(this.data.table, schedule.table);
      if ('images' in schedule && schedule.images) fn.bindImages(this.data.images, schedule.images);
      for (const name of ('sends' in schedule ? schedule.sends : undefined) ?? [])
        fn.bindQueue(name, this.queue(name));
      new Rule(this, `${constructId(schedule.name)}Schedule`, {
        description: `openverify: ${schedule.name}`,
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
      });
      functions.set(`${schedule.name}-job`, fn);
    }
    this.functions = functions;

    const functionAlarms = new Map<string, FunctionAlarms>();
    for (const [name, fn] of functions) {
      functionAlarms.set(name, new FunctionAlarms(fn, 'Alarms', { fn, action: alarmAction }));
    }
    this.alarms = {
      api: new ApiAlarms(this, 'ApiAlarms', { httpApi: this.api.httpApi, action: alarmAction }),
      functions: functionAlarms,
    };

    new CfnOutput(this, 'ApiUrl', {
      description: 'The public base URL (PUBLIC_BASE_URL)',
      value: this.api.publicBaseUrl,
    });
    // A domain served by something else (no certificate here) reaches the API through this.
    if (props.domainName && !wiresCustomDomain(props)) {
      new CfnOutput(this, 'ApiEndpoint', {
        description: 'The HTTP API endpoint, for whatever serves the domain',
        value: this.api.httpApi.apiEndpoint,
      });
    }
    for (const { host, domain } of this.api.customDomains) {
      new CfnOutput(this, `${domain.node.id}Target`, {
        description: `Point ${host} here (CNAME or alias record)`,
        value: domain.regionalDomainName,
      });
    }
  }
}

/**
 * The AWS providers the verify worker may use instead of the offline engine (shared/wiring/providers.ts):
 * the choice in its environment, and the actions it then needs. Textract and Rekognition scope these
 * actions to no resource, hence `*`.
 */
function bindProviders(fn: OpenverifyFunction, props: OpenverifyProps): void {
  const actions: string[] = [];
  if (props.documentProvider === 'textract') {
    fn.addEnvironment('OPENVERIFY_DOCUMENT_PROVIDER', 'textract');
    actions.push('textract:AnalyzeID');
  }
  if (props.faceProvider === 'rekognition') {
    fn.addEnvironment('OPENVERIFY_FACE_PROVIDER', 'rekognition');
    actions.push('rekognition:DetectFaces', 'rekognition:CompareFaces');
  }
  if (actions.length > 0) fn.addToRolePolicy(new PolicyStatement({ actions, resources: ['*'] }));
}
