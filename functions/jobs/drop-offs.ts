// (EventBridge, every minute) --> drop-offs --> domain: final callbacks for abandoned journeys
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#http/logger';
import { dropOffDeps } from '#shared/wiring/jobs';
import { runDropOffs } from '#use-cases/drop-offs';

const deps = dropOffDeps();

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await runDropOffs(deps);
    logger.info('drop-offs', result);
    return result;
  });
