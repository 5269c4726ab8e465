import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The single table. Items, by key (`pk`, `sk`):
 *
 *   CUSTOMER#<id>          PROFILE       the customer and its settings
 *   CUSTOMER#<id>          CREDENTIAL#<h> a credential listed under its customer (for rotation)
 *   CREDENTIAL#<h>         CREDENTIAL    the same credential, found by its token's digest (for auth)
 *   TX#<reference>         TRANSACTION   a transaction, with its authorization token's digest
 *
 * `expiresAt` (epoch seconds) is the table's TTL attribute. DynamoDB deletes expired items lazily,
 * so every read checks expiry itself.
 */
export const TTL_ATTRIBUTE = 'expiresAt';
export const KEY = { partition: 'pk', sort: 'sk' } as const;

export interface DynamoConfig {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
}

/**
 * The table's client. Credentials come from the environment (the function's role in AWS) unless
 * given: the admin CLI gives the local stack's own, which DynamoDB Local keys its database on.
 */
export function documentClient(
  config: DynamoConfig,
  credentials?: DynamoDBClientConfig['credentials'],
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    ...(credentials ? { credentials } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export const toEpochSeconds = (epochMs: number): number => Math.ceil(epochMs / 1000);
