// (API Gateway) --> issue an upload --> domain: POST /api/v4/journey/uploads, a presigned POST for one image
import { UploadRequest } from '#domain/journey';
import { api } from '#http/api';
import { bearerToken, header } from '#http/request';
import { journeyDeps } from '#shared/wiring/journey';
import { issueUpload } from '#use-cases/journey';

const deps = journeyDeps();

export const handler = api({ apiHeaders: false, body: UploadRequest }).handle(async ({ event, body }) => ({
  ...(await issueUpload(deps, bearerToken(header(event, 'authorization')), body)),
}));
