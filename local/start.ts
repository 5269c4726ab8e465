// npm start: the whole product on loopback, with a demo customer. Ctrl-C stops everything.
import { resolve } from 'node:path';
import * as z from 'zod';
import { readConfig } from '#shared/config';
import { startLocalStack } from './stack.ts';

const env = readConfig(
  z
    .object({
      PORT: z.coerce.number().int().min(0).max(65535).default(3000),
      DEMO_API_TOKEN: z.string().min(1).max(256).optional(),
      DEMO_API_SECRET: z.string().min(1).max(256).optional(),
      OPENVERIFY_DATA_DIR: z.string().default(resolve(import.meta.dirname, '..', '.local')),
    })
    .refine((e) => (e.DEMO_API_TOKEN === undefined) === (e.DEMO_API_SECRET === undefined), {
      message: 'set DEMO_API_TOKEN and DEMO_API_SECRET together',
      path: ['DEMO_API_SECRET'],
    }),
);

console.log('Starting openverify (DynamoDB Local, S3, SQS)…');
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    dataDir: env.OPENVERIFY_DATA_DIR,
    port: env.PORT,
    ...(env.DEMO_API_TOKEN && env.DEMO_API_SECRET
      ? { demoCredential: { apiToken: env.DEMO_API_TOKEN, apiSecret: env.DEMO_API_SECRET } }
      : {}),
  });
} catch (error) {
  console.error(`Could not start: ${(error as Error).message}`);
  process.exit(1);
}

const { apiToken, apiSecret } = stack.demo.credential;
console.log(`
openverify is running at ${stack.url}

  Demo customer   ${stack.demo.customerId}
  API token       ${apiToken}
  API secret      ${apiSecret}
  OpenAPI         ${stack.url}/api/v4/openapi.json
  Data            ${env.OPENVERIFY_DATA_DIR}

Create a transaction:
  curl -u '${apiToken}:${apiSecret}' -H 'Accept: application/json' -H 'Content-Type: application/json' \\
    -A 'Example Corp SampleApp/1.0.1' -d '{"customerInternalReference":"transaction_1234","userReference":"user_1234"}' \\
    ${stack.url}/api/v4/initiate

Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
