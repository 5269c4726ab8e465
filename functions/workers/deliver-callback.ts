// (SQS callback) --> deliver callbacks --> domain: one signed attempt each, then the next on the schedule
import { logger } from '#http/logger';
import { batchWorker } from '#http/worker';
import { deliverDeps } from '#shared/wiring/delivery';
import { CallbackMessage, deliverCallbacks } from '#use-cases/deliver-callback';

const deps = deliverDeps();

export const handler = batchWorker({ message: CallbackMessage }).handle(async (messages) => {
  const results = await deliverCallbacks(deps, messages);
  results.forEach((step, index) => {
    // What happened, without personal data: the alarms on dead letters and failing receivers count it.
    if (typeof step === 'string') logger.info('callback', { step, attempts: messages[index]?.attempts ?? 0 });
  });
  return results;
});
