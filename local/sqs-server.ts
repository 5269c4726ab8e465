import { mkdirSync } from 'node:fs';
import { startFauxqs } from 'fauxqs';

/** fauxqs: an SQS-API server that speaks the SDK's current JSON protocol, persisted to SQLite. */

export interface SqsLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSqsLocal(options: { dataDir?: string; port?: number } = {}): Promise<SqsLocal> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    host: '127.0.0.1',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return { endpoint: server.address, stop: () => server.stop() };
}
