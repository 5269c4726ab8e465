// (SQS callback) --> deliver a callback --> domain: one signed attempt, then the next on the schedule
import { worker } from '#http/worker';
import { deliverDeps } from '#shared/wiring/delivery';
import { CallbackMessage, deliverCallback } from '#use-cases/deliver-callback';

const deps = deliverDeps();

export const handler = worker({ message: CallbackMessage }).handle(async ({ message }) => {
  await deliverCallback(deps, message);
});
