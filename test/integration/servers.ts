import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { startS3Local } from '../../local/s3-server.ts';
import { startSqsLocal } from '../../local/sqs-server.ts';

/**
 * Starts the real API servers once for the integration run: DynamoDB Local (in memory), s3rver and
 * fauxqs. Each test file makes its own table, bucket or queue, so files share no state.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    s3Endpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const s3Dir = mkdtempSync(join(tmpdir(), 'openverify-s3-'));
  const [dynamo, s3, sqs] = await Promise.all([
    startDynamoDbLocal(),
    startS3Local({ directory: s3Dir }),
    startSqsLocal(),
  ]);
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), s3.stop(), sqs.stop()]);
    rmSync(s3Dir, { recursive: true, force: true });
  };
}
