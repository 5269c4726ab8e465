import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { freePort } from './ports.ts';

/** s3rver: a real S3-API server (it serves presigned PUT/POST; it checks no signature or policy). */

export interface S3Local {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startS3Local(options: { directory: string; port?: number }): Promise<S3Local> {
  mkdirSync(options.directory, { recursive: true });
  const port = options.port || (await freePort());
  const server = new S3rver({ port, address: '127.0.0.1', directory: options.directory, silent: true });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => server.close(),
  };
}
