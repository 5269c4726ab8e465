// (API Gateway) --> check a capture --> domain: POST /api/v4/journey/captures, the acceptance loop's verdict
import { createSharpImageInspector } from '#adapters/sharp-image-inspector';
import { CaptureRequest } from '#domain/journey';
import { api } from '#http/api';
import { bearerToken, header } from '#http/request';
import { s3Images } from '#shared/wiring/images';
import { journeyDeps } from '#shared/wiring/journey';
import { sqsQueue } from '#shared/wiring/work-queues';
import { checkCapture } from '#use-cases/journey';

// Reads and judges the image; a third refusal ends the journey and queues its callback.
const deps = journeyDeps({
  inspector: createSharpImageInspector(),
  images: s3Images,
  callbackQueue: (config) => sqsQueue(config, config.QUEUE_URL_CALLBACK),
});

export const handler = api({ apiHeaders: false, body: CaptureRequest }).handle(async ({ event, body }) => ({
  ...(await checkCapture(deps, bearerToken(header(event, 'authorization')), body)),
}));
