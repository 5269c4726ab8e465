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

const OPTIONS = {
  name: { type: 'string' },
  settings: { type: 'string' },
  customer: { type: 'string' },
  'grace-minutes': { type: 'string' },
  local: { type: 'boolean' },
  'data-dir': { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const args = joinNegativeValues(process.argv.slice(2));
let parsed: ReturnType<typeof parse>;
try {
  parsed = parse();
} catch (error) {
  fail(optionProblem(args) ?? (error as Error).message);
}
const { values, positionals } = parsed;

function parse() {
  return parseArgs({ args, allowPositionals: true, options: OPTIONS });
}

/**
 * `--grace-minutes -5`: parseArgs reads `-5` as an option of its own and answers that the value is
 * "ambiguous". Joined as `--grace-minutes=-5`, the value reaches the check that can say what is wrong.
 */
function joinNegativeValues(argv: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const option = OPTIONS[arg.slice(2) as keyof typeof OPTIONS];
    if (arg.startsWith('--') && option?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** What parseArgs refused, said in one sentence that names the option (its own messages leave a quote open). */
function optionProblem(argv: string[]): string | undefined {
  const short = new Map<string, string>([['h', 'help']]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return undefined;
    if (!arg.startsWith('-') || arg === '-') continue;
    const equals = arg.indexOf('=');
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const name = flag.startsWith('--') ? flag.slice(2) : short.get(flag.slice(1));
    const option = name === undefined ? undefined : OPTIONS[name as keyof typeof OPTIONS];
    if (option === undefined) return `Unknown option '${flag}'.`;
    if (option.type === 'boolean' && equals !== -1) return `${flag} takes no value.`;
    if (option.type === 'string' && equals === -1) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) return `${flag} needs a value.`;
      i++;
    }
  }
  return undefined;
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
    return {
      tableName: values.table,
      db: documentClient({ AWS_REGION: values.region }),
      needsCredentials: true,
    };
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
  return { tableName: endpoints.table, db, needsCredentials: false };
}

/**
 * Resolves the AWS credentials before the first call, so that none found is one line saying how to
 * give them rather than the SDK's stack trace.
 */
async function assertCredentials(db: ReturnType<typeof documentClient>): Promise<void> {
  try {
    await db.config.credentials();
  } catch (error) {
    console.error(
      `No AWS credentials found (${firstLine(error)}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
        'or AWS_PROFILE (after `aws sso login` for SSO), or use --local for a running `npm start`.',
    );
    process.exit(1);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** Checked before the target is, so that a wrong value is reported whether or not the target is there. */
function graceMinutesOption(): number {
  const given = values['grace-minutes'] ?? '0';
  const minutes = /^\d+$/.test(given) ? Number(given) : Number.NaN;
  if (!Number.isSafeInteger(minutes))
    fail(`--grace-minutes needs a whole number of minutes, 0 or more (not ${given}).`);
  return minutes;
}

async function main(): Promise<void> {
  const [command, ...extra] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return;
  }
  if (!COMMANDS.includes(command as Command)) fail(`Unknown command ${command}.`);
  if (extra.length > 0) fail(`Unexpected argument ${extra[0]}: options start with --.`);
  const graceMinutes = graceMinutesOption();
  const { db, tableName, needsCredentials } = target();
  if (needsCredentials) await assertCredentials(db);
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
  } else if (error instanceof Error && '$metadata' in error) {
    // AWS answered, and refused (an unknown table, credentials it does not accept): its words suffice.
    console.error(`AWS refused: ${error.name}: ${firstLine(error)}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
