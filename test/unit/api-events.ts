import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpResponse } from '#http/responses';

/** Synthetic API Gateway (HTTP API, payload v2) events and a Lambda context for driving `api()` handlers. */

export const VALID_TOKEN = 'ovk_test-token';
export const VALID_SECRET = 'ovs_test-secret';

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export const API_HEADERS: Record<string, string> = {
  accept: 'application/json',
  'content-type': 'application/json',
  'user-agent': 'Example Corp SampleApp/1.0.1',
  authorization: basic(VALID_TOKEN, VALID_SECRET),
};

interface EventOptions {
  method?: string;
  path?: string;
  /** Replaces the default headers entirely. */
  headers?: Record<string, string>;
  /** Header names whose value is `undefined` are removed from the defaults. */
  with?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

export function apiEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/api/v4/initiate';
  const headers: Record<string, string> = { ...(options.headers ?? API_HEADERS) };
  for (const [name, value] of Object.entries(options.with ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: 'gateway-request-id',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '03/Jul/2018:08:23:12 +0000',
      timeEpoch: 1530606192494,
    },
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
}

export const AWS_REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e812345678';

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'initiate',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:initiate',
    memoryLimitInMB: '256',
    awsRequestId: AWS_REQUEST_ID,
    logGroupName: '/aws/lambda/initiate',
    logStreamName: '2018/07/03/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface ParsedResponse {
  statusCode: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, read field by field in assertions
  body: any;
}

export function parseResponse(response: HttpResponse): ParsedResponse {
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  return {
    statusCode: response.statusCode,
    headers,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}

/** The seed's sample request body, verbatim. */
export const SEED_SAMPLE_BODY = `{
"customerInternalReference" : "transaction_1234",
"userReference" : "user_1234",
"successUrl" : "https://www.yourcompany.com/success",
"errorUrl" : "https://www.yourcompany.com/error",
"callbackUrl" : "https://www.yourcompany.com/callback",
"reportingCriteria" : "myReport1234",
"workflowId" : 200,
"presets" :
[
{
"index" : 1,
"country" : "AUT",
"type" : "PASSPORT"
},{
"index" : 2,
"phrase" : "MY CUSTOM PHRASE"
}
],
"locale" : "en-GB"
}`;
