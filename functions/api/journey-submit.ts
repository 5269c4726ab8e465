// (API Gateway) --> submit --> domain: POST /api/v4/journey/submit, queues the transaction for verification
import { SubmitRequest } from '#domain/journey';
import { api } from '#http/api';
import { bearerToken, header } from '#http/request';
import { journeyDeps } from '#shared/wiring/journey';
import { sqsQueue } from '#shared/wiring/work-queues';
import { submitJourney } from '#use-cases/journey';

// Queues the transaction for the worker; reads no image.
const deps = journeyDeps({ verifyQueue: (config) => sqsQueue(config, config.QUEUE_URL_VERIFY) });

export const handler = api({ apiHeaders: false, body: SubmitRequest }).handle(async ({ event, body }) =>
  submitJourney(deps, bearerToken(header(event, 'authorization')), body, event.requestContext.http.sourceIp),
);
