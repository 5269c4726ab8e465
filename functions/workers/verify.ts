// (SQS verify) --> verify --> domain: reads and judges a submitted transaction, queues its callback
import * as z from '#domain/zod';
import { worker } from '#http/worker';
import { verifyDeps } from '#shared/wiring/verify';
import { verifyTransaction } from '#use-cases/verify';

const deps = verifyDeps();

export const handler = worker({ message: z.object({ reference: z.uuid() }) }).handle(async ({ message }) => {
  await verifyTransaction(deps, message.reference);
});
