import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CreationIndex } from '#use-cases/ports';
import { CREATED_INDEX, customerIndexKey, queryAll } from './dynamodb.ts';

/** The `created` index: a customer's live transactions by creation time. */
export function dynamoCreationIndex(db: DynamoDBDocumentClient, tableName: string): CreationIndex {
  return {
    async createdBefore(customerId, before, limit) {
      const items = await queryAll(
        db,
        {
          TableName: tableName,
          IndexName: CREATED_INDEX.name,
          KeyConditionExpression: '#customer = :customer AND #created < :before',
          ExpressionAttributeNames: { '#customer': CREATED_INDEX.partition, '#created': CREATED_INDEX.sort },
          ExpressionAttributeValues: { ':customer': customerIndexKey(customerId), ':before': before },
        },
        limit,
      );
      return items.map((item) => String(item.pk).slice('TX#'.length));
    },
  };
}
