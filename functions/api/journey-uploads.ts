// (API Gateway) --> issue an upload --> domain: POST /api/v4/journey/uploads, a presigned POST for one image
import { UploadRequest } from '#domain/journey';
import { api } from '#http/api';
import { bearerToken, header } from '#http/request';
import { s3Images } from '#shared/wiring/images';
import { journeyDeps } from '#shared/wiring/journey';
import { issueUpload } from '#use-cases/journey';

// A presigned POST for an image; no queue.
const deps = journeyDeps({ images: s3Images });

export const handler = api({ apiHeaders: false, body: UploadRequest }).handle(async ({ event, body }) => ({
  ...(await issueUpload(deps, bearerToken(header(event, 'authorization')), body)),
}));
