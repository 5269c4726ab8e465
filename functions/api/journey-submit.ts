// (API Gateway) --> submit --> domain: POST /api/v4/journey/submit; the table's stream queues the verification
import { SubmitRequest } from '#domain/journey';
import { api } from '#http/api';
import { bearerToken, header } from '#http/request';
import { journeyDeps } from '#shared/wiring/journey';
import { submitJourney } from '#use-cases/journey';

// One conditional write; sends nothing and reads no image.
const deps = journeyDeps();

export const handler = api({ apiHeaders: false, body: SubmitRequest }).handle(async ({ event, body }) =>
  submitJourney(deps, bearerToken(header(event, 'authorization')), body, event.requestContext.http.sourceIp),
);
