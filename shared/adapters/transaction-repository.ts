import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordExpiresAt, type Transaction } from '#domain/transaction';
import type { Clock, TransactionRepository } from '#use-cases/ports';
import { TTL_ATTRIBUTE, toEpochSeconds } from './dynamodb.ts';

const transactionKey = (reference: string) => ({ pk: `TX#${reference}`, sk: 'TRANSACTION' });

/**
 * One item per transaction, token digest included: initiate is a single `PutItem`, and the token
 * check a single `GetItem`, because the authorization token names its transaction's reference.
 * The clock is required: a stored expiry is only ever compared with the time the caller says it is.
 */
export function dynamoTransactionRepository(
  db: DynamoDBDocumentClient,
  tableName: string,
  clock: Clock,
): TransactionRepository {
  return {
    async create(transaction) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...transactionKey(transaction.reference),
            ...transaction,
            [TTL_ATTRIBUTE]: toEpochSeconds(recordExpiresAt(transaction)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(reference) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: transactionKey(reference), ConsistentRead: true }),
      );
      // TTL deletion lags expiry by up to days: a record past its time is gone for every reader.
      if (Item === undefined || isExpired(Item, clock)) return undefined;
      return toTransaction(Item);
    },

    async markStarted(reference, startedAt, keepUntil) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: transactionKey(reference),
            UpdateExpression: 'SET #state = :started, startedAt = :at, #ttl = :keepUntil',
            ConditionExpression: '#state = :initiated',
            ExpressionAttributeNames: { '#state': 'state', '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':started': 'STARTED',
              ':initiated': 'INITIATED',
              ':at': startedAt,
              ':keepUntil': toEpochSeconds(keepUntil),
            },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}

function isExpired(item: Record<string, unknown>, clock: Clock): boolean {
  const expiresAt = item[TTL_ATTRIBUTE];
  return typeof expiresAt === 'number' && expiresAt * 1000 <= clock.now().getTime();
}

function toTransaction(item: Record<string, unknown>): Transaction {
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _expiresAt, ...transaction } = item;
  return transaction as unknown as Transaction;
}
