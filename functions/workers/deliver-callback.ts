// (SQS callback) --> deliver a callback --> domain: one signed attempt, then the next on the schedule
import { logger } from '#http/logger';
import { worker } from '#http/worker';
import { deliverDeps } from '#shared/wiring/delivery';
import { CallbackMessage, deliverCallback } from '#use-cases/deliver-callback';

const deps = deliverDeps();

export const handler = worker({ message: CallbackMessage }).handle(async ({ message }) => {
  const step = await deliverCallback(deps, message);
  // What happened, without personal data: the alarms on dead letters and failing receivers count it.
  logger.info('callback', { step, attempts: message.attempts ?? 0 });
});
