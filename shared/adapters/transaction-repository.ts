import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Transaction } from '#domain/transaction';
import type { TransactionRepository } from '#use-cases/ports';
import { toEpochSeconds } from './dynamodb.ts';

const transactionKey = (reference: string) => ({ pk: `TX#${reference}`, sk: 'TRANSACTION' });
const tokenKey = (tokenHash: string) => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' });

/**
 * An expired token's item outlives its expiry by a day, so that a journey that had started is told
 * 9210 (session expired) rather than 9200 (unknown token) until TTL removes it.
 */
const TOKEN_RECORD_GRACE_MS = 24 * 60 * 60 * 1000;

export function dynamoTransactionRepository(
  db: DynamoDBDocumentClient,
  tableName: string,
): TransactionRepository {
  const get = async (reference: string): Promise<Transaction | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: transactionKey(reference), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toTransaction(Item);
  };

  return {
    get,

    async create(transaction, tokenHash) {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...transactionKey(transaction.reference), ...transaction },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...tokenKey(tokenHash),
                  reference: transaction.reference,
                  customerId: transaction.customerId,
                  tokenExpiresAt: transaction.tokenExpiresAt,
                  expiresAt: toEpochSeconds(transaction.tokenExpiresAt + TOKEN_RECORD_GRACE_MS),
                },
              },
            },
          ],
        }),
      );
    },

    async findByTokenHash(tokenHash) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: tokenKey(tokenHash), ConsistentRead: true }),
      );
      if (Item === undefined || typeof Item.reference !== 'string') return undefined;
      return get(Item.reference);
    },

    async markStarted(reference, startedAt) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: transactionKey(reference),
            UpdateExpression: 'SET #state = :started, startedAt = :at',
            ConditionExpression: '#state = :initiated',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':started': 'STARTED', ':initiated': 'INITIATED', ':at': startedAt },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}

function toTransaction(item: Record<string, unknown>): Transaction {
  const { pk: _pk, sk: _sk, ...transaction } = item;
  return transaction as unknown as Transaction;
}
