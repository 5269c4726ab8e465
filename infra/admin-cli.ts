// npm run admin -- <command>: the operator's tool for customers and their API credentials.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { AppError, ValidationError } from '#domain/errors';
import { createCustomer, rotateCredentials } from '#use-cases/manage-customers';
import { systemClock } from '#use-cases/ports';

const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  create-customer     --name NAME [--settings JSON]
  rotate-credentials  --customer ID [--grace-minutes N]
  show-customer       --customer ID

Target (one of):
  --local                         the running \`npm start\` (default; reads .local/endpoints.json)
  --table NAME --region REGION    a deployed stack's table, with your AWS credentials

Credentials are printed once; only their SHA-256 digests are stored.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    settings: { type: 'string' },
    customer: { type: 'string' },
    'grace-minutes': { type: 'string' },
    local: { type: 'boolean' },
    table: { type: 'string' },
    region: { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function target() {
  if (values.table) {
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
  // The local servers accept any credentials but the SDK wants some.
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  return {
    tableName: endpoints.table,
    db: documentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoints.dynamodb }),
  };
}

async function main(): Promise<void> {
  const [command] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return;
  }
  const { db, tableName } = target();
  const deps = { customers: dynamoCustomerRepository(db, tableName), clock: systemClock };

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
