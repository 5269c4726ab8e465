// npm run admin -- <command>: the operator's tool for customers and their API credentials.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { AppError, ValidationError } from '#domain/errors';
import { createCustomer, rotateCredentials } from '#use-cases/manage-customers';
import { systemClock } from '#use-cases/ports';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/resources.ts';

const USAGE = `Usage: npm run admin -- <command> [options] [target options]

Commands:
  create-customer     --name NAME [--settings JSON]
  rotate-credentials  --customer ID [--grace-minutes N]
  show-customer       --customer ID

Target options, one of:
  [--local] [--data-dir DIR]      the running \`npm start\` (the default): it reads DIR/endpoints.json,
                                  DIR being --data-dir, else $OPENVERIFY_DATA_DIR, else .local/
  --table NAME --region REGION    a deployed stack's table, with your AWS credentials

Credentials are printed once; only their SHA-256 digests are stored.`;

const COMMANDS = ['create-customer', 'rotate-credentials', 'show-customer'] as const;
type Command = (typeof COMMANDS)[number];

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
try {
  parsed = parse();
} catch (error) {
  fail((error as Error).message);
}
const { values, positionals } = parsed;

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      settings: { type: 'string' },
      customer: { type: 'string' },
      'grace-minutes': { type: 'string' },
      local: { type: 'boolean' },
      'data-dir': { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function target() {
  const local = values.local === true || values['data-dir'] !== undefined;
  const deployed = values.table !== undefined || values.region !== undefined;
  if (local && deployed)
    fail(
      'Give one target: --local or --data-dir (a running `npm start`), or --table and --region (a deployed stack).',
    );
  if (deployed) {
    if (!values.table) fail("--region needs --table (the deployed stack's TableName output).");
    if (!values.region) fail('--table needs --region (e.g. eu-west-1).');
    return { tableName: values.table, db: documentClient({ AWS_REGION: values.region }) };
  }
  const dataDir = resolve(
    values['data-dir'] ?? process.env.OPENVERIFY_DATA_DIR ?? resolve(import.meta.dirname, '..', '.local'),
  );
  let endpoints: { dynamodb: string; table: string };
  try {
    endpoints = JSON.parse(readFileSync(resolve(dataDir, 'endpoints.json'), 'utf8'));
  } catch {
    fail(
      `No running local stack found in ${dataDir}: start it with \`npm start\`, or pass --table and --region.`,
    );
  }
  // DynamoDB Local keeps a database per access key and region: use the ones `npm start` uses,
  // whatever AWS credentials the environment holds.
  const db = documentClient(
    { AWS_REGION: LOCAL_REGION, DYNAMODB_ENDPOINT: endpoints.dynamodb },
    LOCAL_CREDENTIALS,
  );
  return { tableName: endpoints.table, db };
}

async function main(): Promise<void> {
  const [command, ...extra] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return;
  }
  if (!COMMANDS.includes(command as Command)) fail(`Unknown command ${command}.`);
  if (extra.length > 0) fail(`Unexpected argument ${extra[0]}: options start with --.`);
  const { db, tableName } = target();
  const deps = { customers: dynamoCustomerRepository(db, tableName, systemClock), clock: systemClock };

  switch (command) {
    case 'create-customer': {
      if (!values.name) fail('create-customer needs --name.');
      let settings: unknown = {};
      try {
        settings = values.settings ? JSON.parse(values.settings) : {};
      } catch {
        fail('--settings must be a JSON object.');
      }
      const { customer, credential } = await createCustomer(deps, { name: values.name, settings });
      console.log(
        JSON.stringify(
          { customerId: customer.customerId, ...credential, settings: customer.settings },
          null,
          2,
        ),
      );
      return;
    }
    case 'rotate-credentials': {
      if (!values.customer) fail('rotate-credentials needs --customer.');
      const graceMinutes = Number(values['grace-minutes'] ?? 0);
      if (!Number.isInteger(graceMinutes) || graceMinutes < 0)
        fail('--grace-minutes must be a whole number ≥ 0.');
      const credential = await rotateCredentials(deps, values.customer, { graceMinutes });
      console.log(JSON.stringify({ customerId: values.customer, ...credential, graceMinutes }, null, 2));
      return;
    }
    case 'show-customer': {
      if (!values.customer) fail('show-customer needs --customer.');
      const customer = await deps.customers.get(values.customer);
      if (!customer) fail(`No customer ${values.customer}.`);
      const credentials = (await deps.customers.listCredentials(customer.customerId)).map((c) => ({
        tokenHint: `${c.tokenHint}…`,
        createdAt: c.createdAt,
        ...(c.expiresAt ? { expiresAt: new Date(c.expiresAt).toISOString() } : {}),
      }));
      console.log(JSON.stringify({ ...customer, credentials }, null, 2));
      return;
    }
    default:
      fail(`Unknown command ${command}.`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ValidationError) {
    console.error(error.issues.map((issue) => `${issue.field} (${issue.rule}): ${issue.message}`).join('\n'));
  } else if (error instanceof AppError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
