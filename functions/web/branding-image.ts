// (API Gateway) --> S3: GET /web/v4/branding/{customerId}/{file}, a customer's branding image
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { s3Client, s3ImageStore } from '#adapters/s3-image-store';
import { contentTypeOfBrandingFile, MAX_BRANDING_IMAGE_BYTES, publicBrandingKey } from '#domain/branding';
import * as z from '#domain/zod';
import { AwsConfig, readConfig } from '#shared/config';

/**
 * Public, as the journey page that shows them is: only names that `set-branding` gives images
 * (`branding/<customerId>/<kind>-<hash>.<ext>`) are read, never a transaction's image. The name is
 * the content's hash, so the answer may be cached for good.
 */
const config = readConfig(z.extend(AwsConfig, { BUCKET_NAME: z.string().check(z.minLength(1)) }));
const images = s3ImageStore(s3Client(config), config.BUCKET_NAME);

const notFound = {
  statusCode: 404,
  headers: {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  },
  body: 'Not found',
};

export const handler = middy<APIGatewayProxyEventV2>().handler(async (event) => {
  const { customerId, file } = event.pathParameters ?? {};
  const key = publicBrandingKey(customerId, file);
  if (key === undefined || file === undefined) return notFound;
  const stored = await images.get(key, MAX_BRANDING_IMAGE_BYTES);
  if (stored.status !== 'ok') return notFound;
  return {
    statusCode: 200,
    headers: {
      'content-type': contentTypeOfBrandingFile(file),
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    },
    body: stored.bytes.toString('base64'),
    isBase64Encoded: true,
  };
});
