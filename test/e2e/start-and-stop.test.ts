import { existsSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPort,
  endpointsOf,
  initiate,
  newDataDir,
  processesLeft,
  processesUsing,
  runProductToExit,
  settle,
  spawnProduct,
  startProduct,
} from './local-process.ts';

/** `npm start` when things go wrong: a bad setting, a taken port, npm stopped by a signal. */

const dataDirs: string[] = [];
const dataDir = () => {
  const dir = newDataDir();
  dataDirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Holds a loopback port, as another program would. */
async function holdPort(port = 0): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined)); // held by someone else already: as good
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const noStackTrace = /\n\s+at /;

describe('a setting npm start cannot use', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT: must be a port number'],
    [{ PORT: '65536' }, 'PORT: must be a port number'],
    [{ DEMO_API_TOKEN: 'ovk_with:colon' }, "DEMO_API_TOKEN: must not contain ':'"],
  ])('%o: exit 1 with one line naming it', async (env, message) => {
    const dir = dataDir();
    const { code, output } = await runProductToExit(dir, { env });
    expect(code).toBe(1);
    expect(output).toContain(message);
    expect(output).not.toMatch(noStackTrace);
    expect(output).not.toContain('Starting openverify');
  });
});

describe('a port in use', () => {
  it('exits 1 with a clear message and leaves nothing running', async () => {
    const blocker = await holdPort();
    if (!blocker) throw new Error('no free port');
    const port = String((blocker.address() as AddressInfo).port);
    try {
      const dir = dataDir();
      const { code, output } = await runProductToExit(dir, { env: { PORT: port } });
      expect(code).toBe(1);
      expect(output).toContain(`Could not start: Port ${port} on 127.0.0.1 is already in use`);
      expect(output).not.toMatch(noStackTrace);
      expect(await processesLeft(dir)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('PORT= (empty) means the default, 3000', async () => {
    const blocker = await holdPort(3000);
    try {
      const dir = dataDir();
      const { code, output } = await runProductToExit(dir, { env: { PORT: '' } });
      expect(code).toBe(1);
      expect(output).toContain('Port 3000 on 127.0.0.1 is already in use');
      expect(await processesLeft(dir)).toEqual([]);
    } finally {
      blocker?.close();
    }
  });
});

describe('npm start stopped by a signal to npm', () => {
  it('SIGTERM to npm stops the product and DynamoDB Local', async () => {
    const dir = dataDir();
    const product = await startProduct(dir, { viaNpm: true });
    expect((await initiate(product.url)).status).toBe(200);
    const { dynamodb } = endpointsOf(dir);
    expect(processesUsing(dir).length).toBeGreaterThanOrEqual(3); // npm, node, java

    expect(await product.stop('SIGTERM')).toBe(0);
    expect(product.output()).toContain('Stopped.');
    expect(await processesLeft(dir)).toEqual([]);
    expect(await closedPort(product.url)).toBe(true);
    expect(await closedPort(dynamodb)).toBe(true);
  });
});

describe('npm start stopped as a terminal stops it: the signal to its whole process group', () => {
  // npm and node both get the signal, and npm forwards its own to node: node sees it twice.
  it.each([
    ['SIGINT', 1],
    ['SIGINT', 2],
    ['SIGINT', 3],
    ['SIGTERM', 1],
    ['SIGTERM', 2],
  ] as const)(
    '%s to the group (run %i): Stopped., exit 0, no lock left, nothing running',
    async (signal, _run) => {
      const dir = dataDir();
      const product = await startProduct(dir, { viaNpm: true, ownProcessGroup: true });
      expect((await initiate(product.url)).status).toBe(200);

      expect(await product.stopGroup(signal)).toBe(0);
      expect(product.output()).toContain(`${signal}: stopping…`);
      expect(product.output()).toContain('Stopped.');
      expect(product.output()).not.toContain('exiting without waiting');
      expect(product.output()).not.toMatch(/npm (error|ERR!)/);
      expect(existsSync(join(dir, 'openverify.lock'))).toBe(false);
      expect(await processesLeft(dir)).toEqual([]);
      expect(await closedPort(product.url)).toBe(true);
    },
  );

  it('Ctrl-C pressed twice in a row still stops cleanly', async () => {
    const dir = dataDir();
    const product = await startProduct(dir, { viaNpm: true, ownProcessGroup: true });
    const pid = product.process.pid;
    if (pid === undefined) throw new Error('no pid');
    process.kill(-pid, 'SIGINT');
    process.kill(-pid, 'SIGINT');
    expect(await product.stopGroup('SIGINT')).toBe(0);
    expect(product.output()).toContain('Stopped.');
    expect(existsSync(join(dir, 'openverify.lock'))).toBe(false);
    expect(await processesLeft(dir)).toEqual([]);
  });
});

describe('a signal while starting', () => {
  it('stops what has started so far, and exits 0', async () => {
    const dir = dataDir();
    const { child, exited, output } = spawnProduct(dir);
    // DynamoDB Local's JVM is up (or coming up) by the time it is seen here; the router is not.
    await settle(
      () => processesUsing(dir).some((line) => line.includes('DynamoDBLocal.jar')),
      (seen) => seen,
      30_000,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toContain('SIGTERM: stopping…');
    expect(output()).toContain('Stopped.');
    expect(output()).not.toContain('openverify is running at');
    expect(await processesLeft(dir)).toEqual([]);
  });
});
