// (EventBridge, hourly) --> retention --> domain: purges what falls outside each customer's retention
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#http/logger';
import { retentionDeps } from '#shared/wiring/jobs';
import { runRetention } from '#use-cases/retention';

const deps = retentionDeps();

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await runRetention(deps);
    logger.info('retention', result);
    return result;
  });
