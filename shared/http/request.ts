import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { BasicCredentials } from '#use-cases/authenticate';

/** Reading an API Gateway (HTTP API, payload v2) request. Header names arrive in lower case. */

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

export function bodyBytes(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** RFC 7617: `Basic base64(user-id ":" password)`; the API token is the user-id, the secret the password. */
export function basicCredentials(authorization: string | undefined): BasicCredentials | undefined {
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { apiToken: decoded.slice(0, colon), apiSecret: decoded.slice(colon + 1) };
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}
