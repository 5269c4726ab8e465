// (API Gateway) --> check a capture --> domain: POST /api/v4/journey/captures, the acceptance loop's verdict
import { createSharpImageInspector } from '#adapters/sharp-image-inspector';
import { CaptureRequest } from '#domain/journey';
import { api } from '#http/api';
import { bearerToken, header } from '#http/request';
import { journeyDeps } from '#shared/wiring/journey';
import { checkCapture } from '#use-cases/journey';

const deps = journeyDeps(createSharpImageInspector());

export const handler = api({ apiHeaders: false, body: CaptureRequest }).handle(async ({ event, body }) => ({
  ...(await checkCapture(deps, bearerToken(header(event, 'authorization')), body)),
}));
