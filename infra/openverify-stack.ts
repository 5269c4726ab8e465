import { CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { QUEUES, type QueueDefinition } from '#shared/queues';
import { ROUTES, type Route } from '#shared/routes';
import { constructId } from './constructs/construct-id.ts';
import { OpenverifyFunction } from './constructs/function.ts';
import { PublicApi, type PublicApiProps } from './constructs/public-api.ts';
import { Stateful } from './constructs/stateful.ts';
import { consumerTimeout } from './constructs/work-queue.ts';
import { REGIONS, type RegionKey } from './regions.ts';

export const API_FUNCTION_TIMEOUT = Duration.seconds(10);

export interface OpenverifyStackProps extends Omit<StackProps, 'env'>, PublicApiProps {
  /** Which deployment: picks the AWS region, and tags everything. */
  region: RegionKey;
  /** The route table; shared/routes.ts unless a test passes its own. */
  routes?: readonly Route[];
  /** The queue table; shared/queues.ts unless a test passes its own. */
  queues?: readonly QueueDefinition[];
  /** Subscribed to the alarm topic when given (the subscription must be confirmed from the mail). */
  alarmEmail?: string | undefined;
}

/**
 * One region's openverify: the data (table, image bucket, queues) in `Data`, apart from the
 * functions and the API, which can be redeployed freely. No lookups and no account: synthesizes
 * offline, deploys to whatever account the credentials at deploy time belong to.
 */
export class OpenverifyStack extends Stack {
  readonly data: Stateful;
  readonly api: PublicApi;
  readonly functions: ReadonlyMap<string, OpenverifyFunction>;

  constructor(scope: Construct, id: string, props: OpenverifyStackProps) {
    super(scope, id, {
      ...props,
      env: { region: REGIONS[props.region] },
      description:
        props.description ?? `openverify (${props.region}): identity verification API, data and workers`,
    });
    const routes: readonly Route[] = props.routes ?? ROUTES;
    const queues: readonly QueueDefinition[] = props.queues ?? QUEUES;

    Tags.of(this).add('project', 'openverify');
    Tags.of(this).add('region', props.region);

    const alarms = new Topic(this, 'Alarms', {
      displayName: `openverify ${props.region} alarms`,
      enforceSSL: true,
    });
    if (props.alarmEmail) alarms.addSubscription(new EmailSubscription(props.alarmEmail));

    this.api = new PublicApi(this, 'Api', {
      domainName: props.domainName,
      prefixedDomain: props.prefixedDomain,
      certificateArn: props.certificateArn,
      prefixedCertificateArn: props.prefixedCertificateArn,
    });
    this.data = new Stateful(this, 'Data', {
      queues,
      uploadOrigins: this.api.journeyOrigins,
      alarmAction: new SnsAction(alarms),
    });

    const functions = new Map<string, OpenverifyFunction>();
    for (const route of routes) {
      const fn = new OpenverifyFunction(this, `${constructId(route.name)}Function`, {
        entry: route.entry,
        timeout: API_FUNCTION_TIMEOUT,
        description: `${route.method} ${route.path}`,
      });
      if (route.table !== 'none') fn.bindTable(this.data.table, route.table);
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
      const fn = new OpenverifyFunction(this, `${constructId(definition.name)}Consumer`, {
        entry: definition.consumer,
        timeout: consumerTimeout(definition),
        description: `consumes the ${definition.name} queue`,
      });
      // The queue table says nothing of a consumer's data yet; every consumer planned (verify
      // worker, callback deliverer) reads and updates transactions.
      fn.bindTable(this.data.table, 'readwrite');
      fn.addEventSource(
        new SqsEventSource(workQueue.queue, {
          batchSize: definition.batchSize,
          reportBatchItemFailures: true,
        }),
      );
      functions.set(`${definition.name}-consumer`, fn);
    }
    this.functions = functions;

    new CfnOutput(this, 'ApiUrl', {
      description: 'The public base URL (PUBLIC_BASE_URL)',
      value: this.api.publicBaseUrl,
    });
    if (props.domainName) {
      new CfnOutput(this, 'ApiEndpoint', {
        description: 'The HTTP API endpoint',
        value: this.api.httpApi.apiEndpoint,
      });
    }
    for (const { host, domain } of this.api.customDomains) {
      new CfnOutput(this, `${domain.node.id}Target`, {
        description: `Point ${host} here (CNAME or alias record)`,
        value: domain.regionalDomainName,
      });
    }
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'ImageBucketName', { value: this.data.images.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn });
  }
}
