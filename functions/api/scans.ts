// (API Gateway) --> scans --> domain: Netverify's retrieval and delete APIs, and the callback log
//   GET    /api/netverify/v2/scans/{scanReference}[/data[/document|/transaction|/verification]]
//   GET    /api/netverify/v2/scans/{scanReference}/images[/{classifier}]
//   DELETE /api/netverify/v2/scans/{scanReference}
//   GET    /api/netverify/v2/scans/{scanReference}/callbacks, POST …/callbacks/replay
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { NotFound } from '#domain/errors';
import {
  documentData,
  imagesOf,
  scanDetails,
  scanStatusResponse,
  transactionData,
  verificationData,
} from '#domain/retrieval';
import { api } from '#http/api';
import { scansDeps } from '#shared/wiring/scans';
import { callbackAttempts, deleteScan, findScan, replayCallback, scanImage } from '#use-cases/scans';

const deps = scansDeps();
const PREFIX = '/api/netverify/v2/scans/{scanReference}';

function referenceOf(event: APIGatewayProxyEventV2): string {
  const reference = event.pathParameters?.scanReference ?? '';
  // A reference is a UUID; anything else cannot name a scan.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(reference)) {
    throw new NotFound('No such scan (it may not exist, be another account’s, or have been deleted).');
  }
  return reference;
}

const routePath = (event: APIGatewayProxyEventV2) => event.routeKey.slice(event.routeKey.indexOf(' ') + 1);

const jsonRoutes = api({ auth: deps.auth }).handle(async ({ event, customer }) => {
  const reference = referenceOf(event);
  const timestamp = () => deps.clock.now().toISOString();
  const fields = customer.settings.dataFields;
  switch (`${event.requestContext.http.method} ${routePath(event).slice(PREFIX.length)}`) {
    case 'GET ':
      return { ...scanStatusResponse(await findScan(deps, customer, reference), timestamp()) };
    case 'GET /data':
      return scanDetails(await findScan(deps, customer, reference), fields, timestamp());
    case 'GET /data/document': {
      const transaction = await findScan(deps, customer, reference);
      return { timestamp: timestamp(), scanReference: reference, ...documentData(transaction, fields) };
    }
    case 'GET /data/transaction':
      return {
        timestamp: timestamp(),
        scanReference: reference,
        ...transactionData(await findScan(deps, customer, reference)),
      };
    case 'GET /data/verification': {
      const transaction = await findScan(deps, customer, reference);
      return { timestamp: timestamp(), scanReference: reference, ...verificationData(transaction, fields) };
    }
    case 'GET /images': {
      const transaction = await findScan(deps, customer, reference);
      const base = `https://${event.requestContext.domainName}`;
      const origin = event.headers?.['x-forwarded-proto'] === 'http' ? base.replace('https:', 'http:') : base;
      return {
        timestamp: timestamp(),
        scanReference: reference,
        images: imagesOf(transaction).map((classifier) => ({
          classifier,
          href: `${origin}/api/netverify/v2/scans/${reference}/images/${classifier}`,
        })),
      };
    }
    case 'GET /callbacks':
      return { scanReference: reference, attempts: await callbackAttempts(deps, customer, reference) };
    case 'POST /callbacks/replay':
      return replayCallback(deps, customer, reference);
    case 'DELETE ':
      return deleteScan(deps, customer, reference);
    default:
      throw new NotFound('Not Found');
  }
});

// The image route answers bytes, not JSON: no `Accept: application/json` required.
const imageRoute = api({ auth: deps.auth, apiHeaders: false }).handle(async ({ event, customer }) => {
  const classifier = event.pathParameters?.classifier;
  if (classifier !== 'front' && classifier !== 'back' && classifier !== 'face')
    throw new NotFound('No such image.');
  const { bytes, contentType } = await scanImage(deps, customer, referenceOf(event), classifier);
  return {
    statusCode: 200,
    headers: { 'content-type': contentType, 'cache-control': 'private, no-store' },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  };
});

export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  routePath(event).endsWith('/{classifier}') ? imageRoute(event, context) : jsonRoutes(event, context);
