import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallbackAttempt, CallbackLog, DeadLetter } from '#use-cases/ports';
import { batchGetAll, batchPutAll, queryAll, TTL_ATTRIBUTE, toEpochSeconds } from './dynamodb.ts';

/**
 * Callback attempts live in their transaction's partition (`TX#<ref>`, `CALLBACK#<time>#<webhook-id>#<n>`: a replay starts again at 1),
 * so they are read with it and deleted with it; dead letters under their customer
 * (`CUSTOMER#<id>`, `DEADLETTER#<time>#<webhook-id>`), where a replay by time range finds them.
 * A delivered callback also leaves a marker (`TX#<ref>`, `DELIVERED#<webhook-id>`), so that a
 * redelivered message is recognised with a key lookup, batched, rather than a query per message.
 * None of it holds personal data: references, times, status codes and error classes only.
 */
export function dynamoCallbackLog(db: DynamoDBDocumentClient, tableName: string): CallbackLog {
  const kept = (keepUntil: number | undefined) =>
    keepUntil !== undefined ? { [TTL_ATTRIBUTE]: toEpochSeconds(keepUntil) } : {};
  const deliveredKey = ({ reference, webhookId }: { reference: string; webhookId: string }) => ({
    pk: `TX#${reference}`,
    sk: `DELIVERED#${webhookId}`,
  });
  const attemptItems = (attempt: CallbackAttempt, keepUntil: number | undefined) => [
    {
      pk: `TX#${attempt.reference}`,
      sk: `CALLBACK#${attempt.at}#${attempt.webhookId}#${String(attempt.attempt).padStart(3, '0')}`,
      ...attempt,
      ...kept(keepUntil),
    },
    ...(attempt.outcome === 'delivered'
      ? [{ ...deliveredKey(attempt), webhookId: attempt.webhookId, at: attempt.at, ...kept(keepUntil) }]
      : []),
  ];
  const letterItem = (letter: DeadLetter, keepUntil: number | undefined) => ({
    pk: `CUSTOMER#${letter.customerId}`,
    sk: `DEADLETTER#${letter.at}#${letter.webhookId}`,
    ...letter,
    ...kept(keepUntil),
  });

  return {
    async record(attempt, keepUntil) {
      await batchPutAll(db, tableName, attemptItems(attempt, keepUntil));
    },

    async write({ attempts, deadLetters }) {
      await batchPutAll(db, tableName, [
        ...attempts.flatMap(({ attempt, keepUntil }) => attemptItems(attempt, keepUntil)),
        ...deadLetters.map(({ letter, keepUntil }) => letterItem(letter, keepUntil)),
      ]);
    },

    async deliveredAmong(callbacks) {
      if (callbacks.length === 0) return new Set();
      const items = await batchGetAll(db, tableName, callbacks.map(deliveredKey), {
        consistentRead: true,
        projection: 'webhookId',
      });
      return new Set(items.map((item) => String(item.webhookId)));
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
      await batchPutAll(db, tableName, [letterItem(letter, keepUntil)]);
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
