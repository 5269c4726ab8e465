import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm run admin` as an operator meets it when something is missing or mistyped: one line saying
 * what is wrong and what to do, never a stack trace. (The CLI against a running product is tested in
 * initiate-api.test.ts.)
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'openverify-admin-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** An environment without any AWS credentials: no variables, no profile files, no instance metadata. */
function withoutAwsCredentials(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    OPENVERIFY_DATA_DIR: join(home, 'no-data-dir'),
  };
}

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['infra/admin-cli.ts', ...args], {
    cwd: ROOT,
    env: withoutAwsCredentials(),
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

const stackTrace = /\n\s+at /;

describe('a deployed table without AWS credentials', () => {
  it.each([
    ['show-customer', '--customer', 'c'],
    ['create-customer', '--name', 'Bank'],
    ['rotate-credentials', '--customer', 'c'],
  ])('%s: one line saying credentials are missing and how to give them, exit 1', async (...command) => {
    const { code, stderr } = await admin(...command, '--table', 'T', '--region', 'eu-west-1');
    expect(code).toBe(1);
    expect(stderr).not.toMatch(stackTrace);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('No AWS credentials found');
    for (const way of ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', '--local']) expect(stderr).toContain(way);
  });
});

describe('an option it cannot use', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'."],
    [['show-customer', '--customer', 'c', '-x'], "Unknown option '-x'."],
    [['show-customer', '--customer'], '--customer needs a value.'],
    [['show-customer', '--local=yes', '--customer', 'c'], '--local takes no value.'],
    [
      ['rotate-credentials', '--customer', 'c', '--grace-minutes', '-5'],
      '--grace-minutes needs a whole number of minutes, 0 or more (not -5).',
    ],
    [
      ['rotate-credentials', '--customer', 'c', '--grace-minutes=1.5'],
      '--grace-minutes needs a whole number of minutes, 0 or more (not 1.5).',
    ],
    [
      ['rotate-credentials', '--customer', 'c', '--grace-minutes', 'ten'],
      '--grace-minutes needs a whole number of minutes, 0 or more (not ten).',
    ],
  ])('%j → "%s", then the usage, exit 2', async (args, message) => {
    const { code, stderr } = await admin(...args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(message);
    expect(stderr).toContain('Usage: npm run admin');
    expect(stderr).not.toMatch(stackTrace);
  });

  it('every quote it opens, it closes', async () => {
    const { stderr } = await admin('--bogus');
    const firstLine = stderr.split('\n')[0] ?? '';
    expect(firstLine.split("'").length % 2).toBe(1);
  });
});
