// npm start: the whole product on loopback, with a demo customer. Ctrl-C stops everything.
import { resolve } from 'node:path';
import * as z from 'zod';
import { isWebhookSecret } from '#domain/secrets';
import { readConfig } from '#shared/config';
import { PortInUseError } from './router.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

const PORT_RULE = 'must be a port number from 0 to 65535 (0 picks a free one; empty means 3000)';

const Env = z
  .object({
    PORT: z
      .string()
      .default('3000')
      .pipe(z.string().regex(/^\d{1,5}$/, PORT_RULE))
      .transform(Number)
      .pipe(z.number().max(65535, PORT_RULE)),
    DEMO_API_TOKEN: z
      .string()
      .max(256)
      .refine((token) => !token.includes(':'), {
        message: "must not contain ':' (HTTP Basic auth puts one between the token and the secret)",
      })
      .optional(),
    DEMO_API_SECRET: z.string().max(256).optional(),
    DEMO_WEBHOOK_SECRET: z
      .string()
      .refine(isWebhookSecret, { message: 'must be whsec_ followed by the base64 of 24 to 64 bytes' })
      .optional(),
    OPENVERIFY_DATA_DIR: z.string().default(resolve(import.meta.dirname, '..', '.local')),
  })
  .refine((e) => (e.DEMO_API_TOKEN === undefined) === (e.DEMO_API_SECRET === undefined), {
    message: 'set DEMO_API_TOKEN and DEMO_API_SECRET together',
    path: ['DEMO_API_SECRET'],
  });

let env: z.output<typeof Env>;
try {
  // `PORT= npm start` means the default, as if PORT were unset.
  env = readConfig(
    Env,
    Object.fromEntries(Object.entries(process.env).filter(([, value]) => value?.trim() !== '')),
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

// Handlers go in before anything starts, so that no signal or stray error can leave a server (or
// DynamoDB Local's JVM) running without us.
//
// A stop after SIGINT or SIGTERM exits 0: the product did what it was asked. One Ctrl-C in a terminal
// reaches node more than once: the terminal signals the whole process group (npm and node), and npm
// forwards what it gets to node. So a signal within ECHO_MS of the stop's start is the same request
// and is ignored; one later than that (Ctrl-C pressed again while the stop hangs) exits at once, with
// 1, and DynamoDB Local's exit hook still ends the JVM. A stop that takes over 30 s (a start under way
// finishes first, and DynamoDB Local's JVM can take long to come up on a busy machine) exits with 1.
const ECHO_MS = 1_000;
const STOP_TIMEOUT_MS = 30_000;
let starting: Promise<LocalStack> | undefined;
let stopStartedAt: number | undefined;
const stopping = () => stopStartedAt !== undefined;
async function stopAndExit(reason: string, code: number): Promise<void> {
  stopStartedAt = performance.now();
  console.log(`\n${reason}: stopping…`);
  const forced = setTimeout(() => {
    console.error(`Could not stop within ${STOP_TIMEOUT_MS / 1000} s; exiting.`);
    process.exit(1);
  }, STOP_TIMEOUT_MS);
  forced.unref();
  // A start still under way finishes first; one that failed has already cleaned up after itself.
  const stack = await starting?.catch(() => undefined);
  await stack?.stop();
  console.log('Stopped.');
  process.exit(code);
}
function onSignal(signal: NodeJS.Signals): void {
  if (stopStartedAt === undefined) {
    void stopAndExit(signal, 0);
  } else if (performance.now() - stopStartedAt >= ECHO_MS) {
    console.error(`${signal} again: exiting without waiting for the stop.`);
    process.exit(1);
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const crash = (error: unknown) => {
  console.error(error);
  // During a stop, the stop goes on (and its timeout still holds).
  if (!stopping()) void stopAndExit('Unexpected error', 1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

async function main(): Promise<void> {
  console.log('Starting openverify (DynamoDB Local, S3, SQS)…');
  starting = startLocalStack({
    dataDir: env.OPENVERIFY_DATA_DIR,
    port: env.PORT,
    ...(env.DEMO_API_TOKEN && env.DEMO_API_SECRET
      ? { demoCredential: { apiToken: env.DEMO_API_TOKEN, apiSecret: env.DEMO_API_SECRET } }
      : {}),
    ...(env.DEMO_WEBHOOK_SECRET ? { demoWebhookSecret: env.DEMO_WEBHOOK_SECRET } : {}),
  });
  let stack: LocalStack;
  try {
    stack = await starting;
  } catch (error) {
    if (stopping()) return;
    const hint =
      error instanceof PortInUseError ? ': stop what uses it, or choose another with PORT=… npm start' : '';
    console.error(`Could not start: ${(error as Error).message}${hint}`);
    process.exit(1);
  }
  // A signal during the start: stopAndExit is stopping the stack now.
  if (stopping()) return;

  const { apiToken, apiSecret } = stack.demo.credential;
  console.log(`
openverify is running at ${stack.url}

  Demo customer   ${stack.demo.customerId}
  API token       ${apiToken}
  API secret      ${apiSecret}
  Webhook secret  ${stack.demo.webhookSecret}   (callbacks are signed with it: Standard Webhooks)
  OpenAPI         ${stack.url}/api/v4/openapi.json
  Demo page       ${stack.url}/demo   (an integrator's page: the journey embedded, its events and callbacks)
  Data            ${env.OPENVERIFY_DATA_DIR}

Create a transaction:
  curl -u '${apiToken}:${apiSecret}' -H 'Accept: application/json' -H 'Content-Type: application/json' \\
    -A 'Example Corp SampleApp/1.0.1' -d '{"customerInternalReference":"transaction_1234","userReference":"user_1234"}' \\
    ${stack.url}/api/v4/initiate

Press Ctrl-C to stop.`);
}

await main();
