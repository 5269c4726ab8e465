import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Customer, StoredCredential } from '#domain/customer';
import { Conflict, NotFound } from '#domain/errors';
import { StoredCustomerSettings } from '#domain/settings';
import type { Clock, CustomerRepository } from '#use-cases/ports';
import { queryAll, toEpochSeconds } from './dynamodb.ts';

type WriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const profileKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' });
/** Every customer is listed under one partition, for the jobs that visit each (retention). */
const directoryKey = (customerId: string) => ({ pk: 'CUSTOMERS', sk: `CUSTOMER#${customerId}` });
const lookupKey = (tokenHash: string) => ({ pk: `CREDENTIAL#${tokenHash}`, sk: 'CREDENTIAL' });
const listedKey = (customerId: string, tokenHash: string) => ({
  pk: `CUSTOMER#${customerId}`,
  sk: `CREDENTIAL#${tokenHash}`,
});

/** The clock decides which credentials are past their grace period when listing them. */
export function dynamoCustomerRepository(
  db: DynamoDBDocumentClient,
  tableName: string,
  clock: Clock,
): CustomerRepository {
  const credentialWrites = (credential: StoredCredential): WriteItem[] => {
    const ttl = credential.expiresAt !== undefined ? { expiresAt: toEpochSeconds(credential.expiresAt) } : {};
    return [
      {
        Put: {
          TableName: tableName,
          Item: { ...lookupKey(credential.tokenHash), ...credential, ...ttl },
          // A token names one customer for good: a fixed token (the demo's) that is already another
          // customer's must not be moved over to this one.
          ConditionExpression: 'attribute_not_exists(pk) OR customerId = :customerId',
          ExpressionAttributeValues: { ':customerId': credential.customerId },
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: { ...listedKey(credential.customerId, credential.tokenHash), ...credential, ...ttl },
        },
      },
    ];
  };

  return {
    async get(customerId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: profileKey(customerId) }));
      return Item === undefined ? undefined : toCustomer(Item);
    },

    async create(customer, credential) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...profileKey(customer.customerId), ...customer },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...credentialWrites(credential),
              {
                Put: {
                  TableName: tableName,
                  Item: { ...directoryKey(customer.customerId), customerId: customer.customerId },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (failedCondition(error)) {
          throw new Conflict(`Customer ${customer.customerId} or its API token already exists.`);
        }
        throw error;
      }
    },

    async setWebhookSecrets(customerId, secrets) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: profileKey(customerId),
          UpdateExpression: 'SET webhookSecrets = :secrets',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':secrets': secrets },
        }),
      );
    },

    async updateSettings(customerId, settings) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: profileKey(customerId),
            UpdateExpression: 'SET settings = :settings',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':settings': settings },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          throw new NotFound(`No customer ${customerId}.`);
        throw error;
      }
    },

    async listIds() {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CUSTOMERS' },
      });
      return items.map((item) => String(item.customerId));
    },

    async findCredential(tokenHash) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: lookupKey(tokenHash), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : toCredential(Item);
    },

    async listCredentials(customerId) {
      const { Items = [] } = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :credential)',
          ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':credential': 'CREDENTIAL#' },
          ConsistentRead: true,
        }),
      );
      const now = clock.now().getTime();
      return Items.map(toCredential).filter((c) => c.expiresAt === undefined || c.expiresAt > now);
    },

    async rotateCredentials(next, retire) {
      const retirements = retire.flatMap((credential): WriteItem[] =>
        credential.expiresAt !== undefined
          ? credentialWrites(credential)
          : [
              { Delete: { TableName: tableName, Key: lookupKey(credential.tokenHash) } },
              {
                Delete: { TableName: tableName, Key: listedKey(credential.customerId, credential.tokenHash) },
              },
            ],
      );
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...credentialWrites(next),
              ...retirements,
              // Customers created before the directory existed join it at their next rotation.
              {
                Put: {
                  TableName: tableName,
                  Item: { ...directoryKey(next.customerId), customerId: next.customerId },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (failedCondition(error)) throw new Conflict('That API token belongs to another customer.');
        throw error;
      }
    },
  };
}

/**
 * A transaction cancelled because one of its conditions failed; not one cancelled by a concurrent
 * write or throttling, which are the store's trouble, not the caller's.
 */
function failedCondition(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')
  );
}

function toCustomer(item: Record<string, unknown>): Customer {
  const { customerId, name, settings, createdAt, webhookSecrets } = item as unknown as Customer;
  return {
    customerId,
    name,
    settings: StoredCustomerSettings.parse(settings),
    createdAt,
    ...(webhookSecrets ? { webhookSecrets } : {}),
  };
}

function toCredential(item: Record<string, unknown>): StoredCredential {
  const { tokenHash, secretHash, customerId, tokenHint, createdAt } = item as unknown as StoredCredential;
  const expiresAt = typeof item.expiresAt === 'number' ? item.expiresAt * 1000 : undefined;
  return { tokenHash, secretHash, customerId, tokenHint, createdAt, ...(expiresAt ? { expiresAt } : {}) };
}
