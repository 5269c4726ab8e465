// (API Gateway) --> performNetverify --> domain: POST /api/netverify/v2/performNetverify

import {
  BODY_TOO_LARGE_HINT,
  PERFORM_NETVERIFY_MAX_BODY_BYTES,
  PerformNetverifyRequest,
} from '#domain/perform-netverify';
import { api } from '#http/api';
import { performNetverifyDeps } from '#shared/wiring/perform-netverify';
import { performNetverify } from '#use-cases/perform-netverify';

const deps = performNetverifyDeps();

export const handler = api({
  auth: deps.auth,
  body: PerformNetverifyRequest,
  maxBodyBytes: PERFORM_NETVERIFY_MAX_BODY_BYTES,
  tooLargeHint: BODY_TOO_LARGE_HINT,
}).handle(({ customer, body }) => performNetverify(deps, customer, body));
