import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IApi,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Route } from '#shared/routes';
import { constructId } from './construct-id.ts';
import { LOG_RETENTION } from './function.ts';

/** Stage-wide limits; a customer's burst beyond these gets 429 from API Gateway, not a Lambda bill. */
export const THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/**
 * One access-log line per request, without PII: no source IP, user agent, path or query string
 * (the journey's query string carries the authorization token), only what identifies and times it.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
} as const;

/**
 * The greedy twin of a route: an HTTP API route key may not end in `/` (API Gateway refuses it and
 * CDK checks for it), so `POST /api/v4/initiate/` — what Netverify's sample sends — is caught by
 * `POST /api/v4/initiate/{proxy+}`. The twin also catches deeper paths below the route.
 */
export const trailingSlashTwin = (path: string): string => `${path}/{proxy+}`;

export interface PublicHosts {
  /** The journey's host, e.g. `eu.verify.example.com`; without it the API's own endpoint is public. */
  domainName?: string | undefined;
  /** Host pattern with `{prefix}` for customers with a domain prefix, e.g. `{prefix}.eu.verify.example.com`. */
  prefixedDomain?: string | undefined;
  /** ACM certificate (in the stack's region) for `domainName`; given, the custom domain is wired. */
  certificateArn?: string | undefined;
  /** Certificate for the wildcard of `prefixedDomain`; defaults to `certificateArn`. */
  prefixedCertificateArn?: string | undefined;
}

/** The API's custom domains are wired here, so nothing needs its `execute-api` endpoint. */
export const wiresCustomDomain = (hosts: PublicHosts): boolean =>
  hosts.domainName !== undefined && hosts.certificateArn !== undefined;

/**
 * The journey's origin, `PUBLIC_BASE_URL`: the domain, else the API's own endpoint (read only then:
 * CDK refuses to give the endpoint of an API that has it switched off).
 */
export const publicBaseUrl = (hosts: PublicHosts, api: IApi): string =>
  hosts.domainName ? `https://${hosts.domainName}` : api.apiEndpoint;

/** Browser origins the journey runs on (for the image bucket's CORS). */
export function journeyOrigins(hosts: PublicHosts, api: IApi): string[] {
  const origins = [publicBaseUrl(hosts, api)];
  if (hosts.prefixedDomain) origins.push(`https://${hosts.prefixedDomain.replace('{prefix}', '*')}`);
  return origins;
}

/**
 * The `AWS::ApiGatewayV2::Api` alone, without stage or routes. It lives in the data stack: without a
 * custom domain its id is the journey's host, in every redirect URL already handed out and in the
 * image bucket's CORS origins, so it must outlive redeploys of code. With a custom domain wired here,
 * its `execute-api` endpoint is switched off: the domain is the only way in.
 */
export function publicHttpApi(scope: Construct, id: string, hosts: PublicHosts): HttpApi {
  validateHosts(hosts);
  return new HttpApi(scope, id, {
    apiName: 'openverify',
    description: 'openverify public API',
    createDefaultStage: false,
    disableExecuteApiEndpoint: wiresCustomDomain(hosts),
  });
}

export interface PublicApiProps extends PublicHosts {
  /** The API (from `publicHttpApi`), in the data stack. */
  httpApi: HttpApi;
}

/** Serves the HTTP API: one Lambda integration per route, its stage, access logs and public hosts. */
export class PublicApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** The journey's origin, `PUBLIC_BASE_URL`. */
  readonly publicBaseUrl: string;
  /** `PREFIXED_BASE_URL`, with `{prefix}`, when the deployment has a prefixed host pattern. */
  readonly prefixedBaseUrl: string | undefined;
  /** Custom domains wired to the API, by host; their DNS records are the operator's. */
  readonly customDomains: { host: string; domain: DomainName }[] = [];

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    validateHosts(props);
    this.httpApi = props.httpApi;

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    // The API's own endpoint depends only on the AWS::ApiGatewayV2::Api, never on routes or
    // functions, so functions may carry it in their environment without a dependency cycle.
    this.publicBaseUrl = publicBaseUrl(props, this.httpApi);
    this.prefixedBaseUrl = props.prefixedDomain ? `https://${props.prefixedDomain}` : undefined;

    if (props.domainName && props.certificateArn) {
      this.mapDomain('Domain', props.domainName, props.certificateArn);
      if (props.prefixedDomain) {
        const certificateArn = props.prefixedCertificateArn ?? props.certificateArn;
        this.mapDomain('PrefixedDomain', props.prefixedDomain.replace('{prefix}', '*'), certificateArn);
      }
    }
  }

  /** Serves `route` (and its trailing-slash twin) with `handler`, payload format 2.0. */
  addRoute(route: Route, handler: IFunction): void {
    const id = constructId(route.name);
    const integration = new HttpLambdaIntegration(`${id}Integration`, handler, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      // One permission for this API rather than one per route: a route-scoped source ARN would end
      // in the twin's literal `{proxy+}`, and whether API Gateway's source ARN for a greedy route
      // matches that is not something to find out in production.
      scopePermissionToRoute: false,
    });
    // Routes are made here, not with `httpApi.addRoutes`, which would put them (and, through their
    // integrations, the functions) into the API's stack: the data stack.
    const paths = { Route: route.path, TwinRoute: trailingSlashTwin(route.path) };
    for (const [suffix, path] of Object.entries(paths)) {
      new HttpRoute(this, `${id}${suffix}`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(path, HttpMethod[route.method]),
        integration,
      });
    }
  }

  private mapDomain(id: string, domainName: string, certificateArn: string): void {
    const domain = new DomainName(this, id, {
      domainName,
      certificate: Certificate.fromCertificateArn(this, `${id}Certificate`, certificateArn),
    });
    new ApiMapping(this, `${id}Mapping`, { api: this.httpApi, domainName: domain, stage: this.stage });
    this.customDomains.push({ host: domainName, domain });
  }
}

const HOST = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

function validateHosts(props: PublicHosts): void {
  const { domainName, prefixedDomain, certificateArn } = props;
  if (domainName !== undefined && !HOST.test(domainName)) {
    throw new Error(
      `domainName must be a bare host name (no scheme, port or path), got ${JSON.stringify(domainName)}`,
    );
  }
  if (prefixedDomain !== undefined) {
    if (domainName === undefined) throw new Error('prefixedDomain needs domainName');
    if (!prefixedDomain.startsWith('{prefix}.') || !HOST.test(prefixedDomain.replace('{prefix}', 'x'))) {
      throw new Error(
        `prefixedDomain must be "{prefix}." and a host name, got ${JSON.stringify(prefixedDomain)}`,
      );
    }
  }
  if (certificateArn !== undefined && domainName === undefined)
    throw new Error('certificateArn needs domainName');
}
