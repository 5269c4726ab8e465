// node test/support/deliverer-child.ts — the callback deliverer alone, in its own process, as a test
// may kill it: the Lambda handler of functions/workers/deliver-callback.ts under the local poller
// (local/pollers.ts), configured by the environment its wiring reads (TABLE_NAME, QUEUE_URL_CALLBACK,
// DYNAMODB_ENDPOINT, SQS_ENDPOINT, OPENVERIFY_RETRY_SCHEDULE, OPENVERIFY_CALLBACK_FORWARD_TO…).
//
// Says `{ type: 'ready' }` over IPC once it polls. SIGTERM stops it as the local stack stops (batches
// in flight finish); SIGKILL is the test's business. It exits when its parent goes away, so a
// crashed test leaves no deliverer behind.

// First: the child keeps the clock the integration suite runs on (test/support/shifted-clock.ts),
// so the times it signs and records compare with the test's own.
import './shifted-clock.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES } from '#shared/queues';
import { handler } from '../../functions/workers/deliver-callback.ts';
import { startPoller } from '../../local/pollers.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';

const definition = QUEUES.find((queue) => queue.name === 'callback');
const queueUrl = process.env.QUEUE_URL_CALLBACK;
const endpoint = process.env.SQS_ENDPOINT;
if (!definition || !queueUrl || !endpoint) throw new Error('QUEUE_URL_CALLBACK and SQS_ENDPOINT are needed');
// The queue's own visibility timeout is the test's (set on the queue); the poller only hands it to
// the handler's Lambda context as its deadline.
const visibilityTimeoutSeconds = Number(
  process.env.DELIVERER_VISIBILITY_TIMEOUT_SECONDS ?? definition.visibilityTimeoutSeconds,
);

const sqs = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
const poller = startPoller(sqs, { ...definition, visibilityTimeoutSeconds }, queueUrl, handler, {
  onError: (error) => console.error('deliverer poller:', error),
});

process.on('SIGTERM', () => {
  void poller.stop().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(1));
process.send?.({ type: 'ready' });
