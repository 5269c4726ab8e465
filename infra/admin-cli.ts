// npm run admin -- <command>: the operator's tool for customers and their API credentials.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoCallbackLog } from '#adapters/callback-log';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { s3ImageStore } from '#adapters/s3-image-store';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import {
  BRANDING_IMAGE_KINDS,
  type BrandingImageKind,
  brandingImageFile,
  brandingImageKey,
  type LocaleBranding,
} from '#domain/branding';
import { AppError, type FieldIssue, NotFound, ValidationError } from '#domain/errors';
import { canonicalLocale } from '#domain/locales';
import { mergeSettings } from '#domain/settings';
import { createCustomer, rotateCredentials, rotateWebhookSecret } from '#use-cases/manage-customers';
import { type ImageStore, systemClock, type WorkQueue } from '#use-cases/ports';
import { replayDeadLetters } from '#use-cases/scans';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/resources.ts';

const USAGE = `Usage: npm run admin -- <command> [options] [target options]

Commands:
  create-customer     --name NAME [--settings JSON]
  rotate-credentials  --customer ID [--grace-minutes N]
  show-customer       --customer ID
  update-settings     --customer ID --settings JSON
                      each key given replaces that setting (validated), null resets it to its
                      default, the others are kept; e.g. --settings '{"acceptedIds":{"default":"NONE",
                      "countries":{"AUT":["PASSPORT","ID_CARD"],"DEU":"ALL"}}}'
  set-branding        --customer ID --locale LOCALE [--reset]
                      [--primary-color #RRGGBB] [--secondary-color #RRGGBB]
                      [--header-image FILE] [--success-image FILE] [--error-image FILE]
                      JPG or PNG up to 5 MB; --reset clears the locale's branding first
  rotate-webhook-secret --customer ID [--grace-minutes N]
                      a new callback signing secret (whsec_…); the old one keeps signing for N minutes
  list-dead-letters   --customer ID [--from ISO-8601] [--to ISO-8601]
  replay-dead-letters --customer ID [--from ISO-8601] [--to ISO-8601] [--queue-url URL]
                      sends every dead-lettered callback of the range again (same webhook-id);
                      against a deployed stack, --queue-url is its CallbackQueueUrl output

Target options, one of:
  [--local] [--data-dir DIR]      the running \`npm start\` (the default): it reads DIR/endpoints.json,
                                  DIR being --data-dir, else $OPENVERIFY_DATA_DIR, else .local/
  --table NAME --region REGION    a deployed stack's table, with your AWS credentials
    [--bucket NAME]               and its image bucket (ImageBucketName output), for set-branding's images

Credentials are printed once; only their SHA-256 digests are stored.`;

const COMMANDS = [
  'create-customer',
  'rotate-credentials',
  'show-customer',
  'update-settings',
  'set-branding',
  'rotate-webhook-secret',
  'list-dead-letters',
  'replay-dead-letters',
] as const;
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
  locale: { type: 'string' },
  'primary-color': { type: 'string' },
  'secondary-color': { type: 'string' },
  'header-image': { type: 'string' },
  'success-image': { type: 'string' },
  'error-image': { type: 'string' },
  reset: { type: 'boolean' },
  bucket: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'queue-url': { type: 'string' },
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
    const region = values.region;
    const bucket = values.bucket;
    return {
      tableName: values.table,
      db: documentClient({ AWS_REGION: region }),
      images: (): ImageStore => {
        if (!bucket)
          fail("Images go to the stack's image bucket: give --bucket (its ImageBucketName output).");
        return s3ImageStore(new S3Client({ region }), bucket);
      },
      callbackQueue: (): WorkQueue => {
        const url = values['queue-url'];
        if (!url)
          fail("Replays go to the stack's callback queue: give --queue-url (its CallbackQueueUrl output).");
        return sqsWorkQueue(sqsClient({ AWS_REGION: region }), url);
      },
      needsCredentials: true,
    };
  }
  const dataDir = resolve(
    values['data-dir'] ?? process.env.OPENVERIFY_DATA_DIR ?? resolve(import.meta.dirname, '..', '.local'),
  );
  let endpoints: {
    dynamodb: string;
    table: string;
    s3?: string;
    bucket?: string;
    sqs?: string;
    callbackQueueUrl?: string;
  };
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
  const { s3, bucket } = endpoints;
  const images = (): ImageStore => {
    if (!s3 || !bucket) fail(`The local stack in ${dataDir} names no image bucket: restart \`npm start\`.`);
    const client = new S3Client({
      region: LOCAL_REGION,
      endpoint: s3,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    return s3ImageStore(client, bucket);
  };
  const { sqs, callbackQueueUrl } = endpoints;
  const callbackQueue = (): WorkQueue => {
    if (!sqs || !callbackQueueUrl)
      fail(`The local stack in ${dataDir} names no callback queue: restart \`npm start\`.`);
    const client = new SQSClient({ region: LOCAL_REGION, endpoint: sqs, credentials: LOCAL_CREDENTIALS });
    return sqsWorkQueue(client, callbackQueueUrl);
  };
  return { tableName: endpoints.table, db, images, callbackQueue, needsCredentials: false };
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

const IMAGE_OPTIONS: Readonly<Record<BrandingImageKind, 'header-image' | 'success-image' | 'error-image'>> = {
  headerImage: 'header-image',
  successImage: 'success-image',
  errorImage: 'error-image',
};

/** The images set-branding was given, read and checked: every problem at once, before any upload. */
function brandingUploads(customerId: string) {
  const issues: FieldIssue[] = [];
  const uploads = BRANDING_IMAGE_KINDS.flatMap((kind) => {
    const option = IMAGE_OPTIONS[kind];
    const path = values[option];
    if (path === undefined) return [];
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      issues.push({
        field: `--${option}`,
        rule: 'readable',
        message: `cannot read ${path}: ${firstLine(error)}`,
      });
      return [];
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    const checked = brandingImageFile(kind, bytes, digest);
    if (!checked.ok) {
      issues.push({ field: `--${option}`, rule: 'image', message: `${path} ${checked.message}` });
      return [];
    }
    return [
      {
        kind,
        bytes,
        file: checked.file,
        contentType: checked.contentType,
        key: brandingImageKey(customerId, checked.file),
      },
    ];
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return uploads;
}

/** An ISO-8601 time option (a prefix such as `2026-11-27` is fine: dead letters sort by their time). */
function isoOption(name: 'from' | 'to', fallback: string): string {
  const value = values[name];
  if (value === undefined) return fallback;
  if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{3})?Z?)?)?)?)?)?$/.test(value)) {
    fail(`--${name} needs an ISO-8601 time such as 2026-11-27 or 2026-11-27T10:00:00Z (not ${value}).`);
  }
  return value;
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
  const { db, tableName, images, callbackQueue, needsCredentials } = target();
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
      const { customer, credential, webhookSecret } = await createCustomer(deps, {
        name: values.name,
        settings,
      });
      console.log(
        JSON.stringify(
          { customerId: customer.customerId, ...credential, webhookSecret, settings: customer.settings },
          null,
          2,
        ),
      );
      return;
    }
    case 'rotate-webhook-secret': {
      if (!values.customer) fail('rotate-webhook-secret needs --customer.');
      const webhookSecret = await rotateWebhookSecret(deps, values.customer, { graceMinutes });
      console.log(JSON.stringify({ customerId: values.customer, webhookSecret, graceMinutes }, null, 2));
      return;
    }
    case 'list-dead-letters':
    case 'replay-dead-letters': {
      if (!values.customer) fail(`${command} needs --customer.`);
      const from = isoOption('from', '0000');
      const to = isoOption('to', '9999');
      const log = dynamoCallbackLog(db, tableName);
      if (command === 'list-dead-letters') {
        console.log(JSON.stringify(await log.deadLetters(values.customer, from, to), null, 2));
        return;
      }
      const replayed = await replayDeadLetters(
        { log, callbackQueue: callbackQueue() },
        values.customer,
        from,
        to,
      );
      console.log(JSON.stringify({ customerId: values.customer, replayed }, null, 2));
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
    case 'update-settings': {
      if (!values.customer) fail('update-settings needs --customer.');
      if (!values.settings)
        fail('update-settings needs --settings (a JSON object of the settings to change).');
      let patch: unknown;
      try {
        patch = JSON.parse(values.settings);
      } catch {
        fail('--settings must be a JSON object.');
      }
      const customer = await deps.customers.get(values.customer);
      if (!customer) throw new NotFound(`No customer ${values.customer}.`);
      const settings = mergeSettings(customer.settings, patch);
      await deps.customers.updateSettings(customer.customerId, settings);
      console.log(JSON.stringify({ customerId: customer.customerId, settings }, null, 2));
      return;
    }
    case 'set-branding': {
      if (!values.customer) fail('set-branding needs --customer.');
      if (!values.locale) fail('set-branding needs --locale (e.g. de, en-GB).');
      const locale = canonicalLocale(values.locale);
      if (!locale) fail(`--locale ${values.locale} is not a supported locale.`);
      const customer = await deps.customers.get(values.customer);
      if (!customer) throw new NotFound(`No customer ${values.customer}.`);
      const uploads = brandingUploads(customer.customerId);
      const colors: LocaleBranding = {
        ...(values['primary-color'] !== undefined ? { primaryColor: values['primary-color'] } : {}),
        ...(values['secondary-color'] !== undefined ? { secondaryColor: values['secondary-color'] } : {}),
      };
      const current = values.reset ? {} : (customer.settings.branding[locale] ?? {});
      const next = { ...current, ...colors, ...Object.fromEntries(uploads.map((u) => [u.kind, u.file])) };
      const branding = { ...customer.settings.branding, [locale]: next };
      if (Object.keys(next).length === 0) delete branding[locale];
      // Validated (colours) before any image is stored.
      const settings = mergeSettings(customer.settings, { branding });
      if (uploads.length > 0) {
        const store = images();
        for (const upload of uploads) await store.put(upload.key, upload.bytes, upload.contentType);
      }
      await deps.customers.updateSettings(customer.customerId, settings);
      console.log(
        JSON.stringify({ customerId: customer.customerId, locale, branding: settings.branding }, null, 2),
      );
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
