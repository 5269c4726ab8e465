import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CallbackAttempt, CallbackLog, DeadLetter } from '#use-cases/ports';
import { queryAll, TTL_ATTRIBUTE, toEpochSeconds } from './dynamodb.ts';

/**
 * Callback attempts live in their transaction's partition (`TX#<ref>`, `CALLBACK#<time>#<webhook-id>#<n>`: a replay starts again at 1),
 * so they are read with it and deleted with it; dead letters under their customer
 * (`CUSTOMER#<id>`, `DEADLETTER#<time>#<webhook-id>`), where a replay by time range finds them.
 * Neither holds personal data: references, times, status codes and error classes only.
 */
export function dynamoCallbackLog(db: DynamoDBDocumentClient, tableName: string): CallbackLog {
  return {
    async record(attempt, keepUntil) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `TX#${attempt.reference}`,
            sk: `CALLBACK#${attempt.at}#${attempt.webhookId}#${String(attempt.attempt).padStart(3, '0')}`,
            ...attempt,
            ...(keepUntil !== undefined ? { [TTL_ATTRIBUTE]: toEpochSeconds(keepUntil) } : {}),
          },
        }),
      );
    },

    async attempts(reference) {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TX#${reference}`, ':prefix': 'CALLBACK#' },
        ConsistentRead: true,
      });
      return items.map(
        ({ pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, ...attempt }) => attempt as unknown as CallbackAttempt,
      );
    },

    async deadLetter(letter, keepUntil) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `CUSTOMER#${letter.customerId}`,
            sk: `DEADLETTER#${letter.at}#${letter.webhookId}`,
            ...letter,
            ...(keepUntil !== undefined ? { [TTL_ATTRIBUTE]: toEpochSeconds(keepUntil) } : {}),
          },
        }),
      );
    },

    async deadLetters(customerId, from, to) {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': `CUSTOMER#${customerId}`,
          ':from': `DEADLETTER#${from}`,
          ':to': `DEADLETTER#${to}~`,
        },
        ConsistentRead: true,
      });
      return items.map(
        ({ pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, ...letter }) => letter as unknown as DeadLetter,
      );
    },
  };
}
