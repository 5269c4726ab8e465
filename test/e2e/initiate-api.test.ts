import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  DEMO,
  endpointsOf,
  initiate,
  initiateHeaders,
  newDataDir,
  processesLeft,
  processesUsing,
  type RunningProduct,
  runProductToExit,
  SAMPLE_REQUEST,
  startProduct,
} from './local-process.ts';

/** The product as a new user runs it (`npm start`), spoken to over real HTTP. */

let product: RunningProduct;
const dataDir = newDataDir();
beforeAll(async () => {
  product = await startProduct(dataDir);
});
afterAll(async () => {
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const tokenOf = (redirectUrl: unknown) => new URL(String(redirectUrl)).searchParams.get('authorizationToken');

describe('POST /api/v4/initiate', () => {
  it('creates a transaction from the seed’s sample request', async () => {
    const { status, body } = await initiate(product.url);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['redirectUrl', 'timestamp', 'transactionReference']);
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body.transactionReference).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(String(body.redirectUrl).length).toBeLessThanOrEqual(255);
    expect(body.redirectUrl).toMatch(
      new RegExp(`^${product.url}/web/v4/app\\?locale=en-GB&authorizationToken=[\\w-]{64}$`),
    );
  });

  it('accepts the sample’s trailing-slash URL', async () => {
    const response = await fetch(`${product.url}/api/v4/initiate/`, {
      method: 'POST',
      headers: initiateHeaders(),
      body: JSON.stringify(SAMPLE_REQUEST),
    });
    expect(response.status).toBe(200);
  });

  it('answers 401 with WWW-Authenticate for missing or wrong credentials', async () => {
    const { Authorization: _, ...anonymous } = initiateHeaders();
    for (const headers of [anonymous, initiateHeaders({ ...DEMO, apiSecret: 'wrong' })]) {
      const { status, headers: responseHeaders, body } = await initiate(product.url, SAMPLE_REQUEST, headers);
      expect(status).toBe(401);
      expect(responseHeaders.get('www-authenticate')).toMatch(/^Basic realm="openverify"/);
      expect(body.error).toBe('unauthorized');
    }
  });

  it('answers 415 for a body that is not JSON and 406 for an Accept without JSON', async () => {
    const form = await initiate(product.url, SAMPLE_REQUEST, {
      ...initiateHeaders(),
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    const xml = await initiate(product.url, SAMPLE_REQUEST, {
      ...initiateHeaders(),
      Accept: 'application/xml',
    });
    expect(xml.status).toBe(406);
  });

  it('answers 413 for an oversized body', async () => {
    const { status } = await initiate(product.url, {
      ...SAMPLE_REQUEST,
      reportingCriteria: 'x'.repeat(20_000),
    });
    expect(status).toBe(413);
  });

  it('answers 400 naming each failing field and rule', async () => {
    const { status, body } = await initiate(product.url, {
      userReference: 'jane.doe@example.com',
      successUrl: 'https://www.yourcompany.com:8443/success',
      errorUrl: 'https://www.yourcompany.com/error?transactionStatus=ERROR',
      callbackUrl: 'http://www.yourcompany.com/callback',
      workflowId: 300,
      locale: 'xx',
      tokenLifetimeInMinutes: 4,
      presets: [{ index: 1, country: 'ZZZ', type: 'PASSPORT' }],
    });
    expect(status).toBe(400);
    const rules = (body.errors as Array<{ field: string; rule: string }>).map((e) => `${e.field}:${e.rule}`);
    expect(rules.sort()).toEqual(
      [
        'callbackUrl:https-only',
        'customerInternalReference:required',
        'errorUrl:reserved-query-parameter',
        'locale:one-of',
        'presets[0].country:country-code',
        'successUrl:no-port',
        'tokenLifetimeInMinutes:minimum',
        'userReference:no-pii',
        'workflowId:one-of',
      ].sort(),
    );
  });

  it('never answers 500 to malformed requests', async () => {
    const bodies = [
      '',
      '{',
      'null',
      '[]',
      '"text"',
      '{"presets":{}}',
      '{"workflowId":"200"}',
      '\u0000\u0001',
    ];
    for (const raw of bodies) {
      const response = await fetch(`${product.url}/api/v4/initiate`, {
        method: 'POST',
        headers: initiateHeaders(),
        body: raw,
      });
      expect(response.status, raw).toBe(400);
    }
  });
});

describe('GET /api/v4/session (the journey’s token check)', () => {
  it('opens the session for the token in redirectUrl, and refuses others with 9200', async () => {
    const { body } = await initiate(product.url);
    const open = await fetch(`${product.url}/api/v4/session`, {
      headers: { Authorization: `Bearer ${tokenOf(body.redirectUrl)}` },
    });
    expect(open.status).toBe(200);
    expect(await open.json()).toMatchObject({
      transactionReference: body.transactionReference,
      workflowId: 200,
      verificationType: 'ID_AND_IDENTITY',
      captureMethod: 'CAMERA_AND_UPLOAD',
      locale: 'en-GB',
      presets: SAMPLE_REQUEST.presets,
    });

    const refused = await fetch(`${product.url}/api/v4/session`, {
      headers: { Authorization: `Bearer ${'x'.repeat(43)}` },
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errorCode: 9200 });
  });
});

describe('the OpenAPI document', () => {
  it('is served and describes initiate', async () => {
    const response = await fetch(`${product.url}/api/v4/openapi.json`);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/api/v4/initiate');
  });
});

describe('the admin CLI against the running product', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, ['infra/admin-cli.ts', ...args], {
      env: { ...process.env, OPENVERIFY_DATA_DIR: dataDir, ...env },
    });
  const admin = async (...args: string[]) => {
    const { stdout } = await run([...args, '--local']);
    return JSON.parse(stdout) as { customerId: string; apiToken: string; apiSecret: string };
  };
  const refusal = (args: string[]) =>
    run(args).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('creates a customer whose settings apply, and rotation retires the old credentials', async () => {
    const created = await admin('create-customer', '--name', 'Bank', '--settings', '{"defaultLocale":"de"}');
    const rotated = await admin('rotate-credentials', '--customer', created.customerId);

    const old = await initiate(
      product.url,
      { customerInternalReference: 'r', userReference: 'u' },
      initiateHeaders(created),
    );
    expect(old.status).toBe(401);
    const fresh = await initiate(
      product.url,
      { customerInternalReference: 'r', userReference: 'u' },
      initiateHeaders(rotated),
    );
    expect(fresh.status).toBe(200);
    expect(fresh.body.redirectUrl).toContain('locale=de&');
  });

  it('refuses invalid settings, naming the field and the rule', async () => {
    const failure = await admin(
      'create-customer',
      '--name',
      'Bad',
      '--settings',
      '{"tokenLifetimeInMinutes":1}',
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('settings.tokenLifetimeInMinutes (minimum)');
  });

  it('reaches the local database whatever AWS credentials and region the environment holds', async () => {
    // DynamoDB Local keeps a database per access key and region: a client that took these from the
    // environment would find no table there.
    const { stdout } = await run(['create-customer', '--name', 'Env', '--local'], {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    const created = JSON.parse(stdout) as typeof DEMO;
    const { status } = await initiate(
      product.url,
      { customerInternalReference: 'r', userReference: 'u' },
      initiateHeaders(created),
    );
    expect(status).toBe(200);
  });

  it('finds the running product by --data-dir, over OPENVERIFY_DATA_DIR', async () => {
    const { customerId } = JSON.parse(readFileSync(join(dataDir, 'demo-customer.json'), 'utf8'));
    const { stdout } = await run(['show-customer', '--customer', customerId, '--data-dir', dataDir], {
      OPENVERIFY_DATA_DIR: '/nonexistent',
    });
    expect(JSON.parse(stdout)).toMatchObject({ customerId });
  });

  it('refuses contradictory or incomplete options, and unknown commands first, with exit code 2', async () => {
    const cases: Array<[string[], string]> = [
      [['bogus', '--table', 'x'], 'Unknown command bogus.'],
      [['show-customer', '--customer', 'c', '--region', 'eu-west-1'], '--region needs --table'],
      [['show-customer', '--customer', 'c', '--table', 't'], '--table needs --region'],
      [['show-customer', '--customer', 'c', '--local', '--table', 't', '--region', 'r'], 'Give one target'],
      [
        ['show-customer', '--customer', 'c', '--data-dir', dataDir, '--table', 't', '--region', 'r'],
        'Give one target',
      ],
      [['show-customer', '--customer', 'c', '--colour'], "Unknown option '--colour'"],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await refusal(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.split('\n')[0], args.join(' ')).toContain(message);
      expect(stderr, args.join(' ')).toContain('Usage: npm run admin');
    }
  });

  it('documents --data-dir and OPENVERIFY_DATA_DIR in its usage', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toContain('--data-dir DIR');
    expect(stdout).toContain('$OPENVERIFY_DATA_DIR');
  });
});

describe('restart, a second start and Ctrl-C', () => {
  it('refuses a second start on the same data dir, and the first keeps running', async () => {
    const before = endpointsOf(dataDir);
    const second = await runProductToExit(dataDir);
    expect(second.code).toBe(1);
    expect(second.output).toContain(`is in use by another openverify (pid ${product.process.pid})`);
    expect(second.output).not.toMatch(/\n\s+at /);
    expect(endpointsOf(dataDir)).toEqual(before);
    expect((await initiate(product.url)).status).toBe(200);
  });

  it('keeps data across a restart and stops everything cleanly', async () => {
    const { body } = await initiate(product.url);
    const { dynamodb } = endpointsOf(dataDir);
    expect(processesUsing(dataDir).some((line) => line.includes('DynamoDBLocal.jar'))).toBe(true);
    const output = product.output();
    const code = await product.stop();
    expect(code).toBe(0);
    expect(product.output().slice(output.length)).toContain('Stopped.');
    expect(await closedPort(product.url)).toBe(true);
    expect(await closedPort(dynamodb)).toBe(true);
    expect(await processesLeft(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'openverify.lock'))).toBe(false);

    product = await startProduct(dataDir);
    const open = await fetch(`${product.url}/api/v4/session`, {
      headers: { Authorization: `Bearer ${tokenOf(body.redirectUrl)}` },
    });
    expect(open.status).toBe(200);
  });
});
