// (API Gateway) --> performNetverify uploads --> domain: POST /api/netverify/v2/performNetverify/uploads

import { PerformNetverifyUploadsRequest } from '#domain/perform-netverify';
import { api } from '#http/api';
import { performNetverifyUploadsDeps } from '#shared/wiring/perform-netverify';
import { issuePerformNetverifyUploads } from '#use-cases/perform-netverify';

const deps = performNetverifyUploadsDeps();

export const handler = api({ auth: deps.auth, body: PerformNetverifyUploadsRequest }).handle(
  ({ customer, body }) => issuePerformNetverifyUploads(deps, customer, body),
);
