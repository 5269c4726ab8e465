import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/resources.ts';

/**
 * The baseline: the least a server can do for one initiate-sized request. A bare `node:http` server
 * reads the body and stores it with one `PutItem` of the raw DynamoDB client: no framework, no
 * validation, no auth.
 */

export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

export async function startBaselineServer(endpoint: string, tableName: string): Promise<BaselineServer> {
  const db = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, { message: (error as Error).message });
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const reference = randomUUID();
    await putOne(db, tableName, reference, body);
    reply(response, 200, { timestamp: new Date().toISOString(), transactionReference: reference });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.keepAliveTimeout = 5_000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        db.destroy();
      }),
  };
}

async function putOne(db: DynamoDBClient, tableName: string, reference: string, body: string): Promise<void> {
  await db.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: `BENCH#${reference}` }, sk: { S: 'TX' }, body: { S: body } },
    }),
  );
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
