import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CreationIndex } from '#use-cases/ports';
import { CREATED_INDEX, customerIndexKey } from './dynamodb.ts';

/** The `created` index: a customer's live transactions by creation time. */
export function dynamoCreationIndex(db: DynamoDBDocumentClient, tableName: string): CreationIndex {
  return {
    async createdBefore(customerId, before, limit) {
      const references: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: CREATED_INDEX.name,
            KeyConditionExpression: '#customer = :customer AND #created < :before',
            ExpressionAttributeNames: {
              '#customer': CREATED_INDEX.partition,
              '#created': CREATED_INDEX.sort,
            },
            ExpressionAttributeValues: { ':customer': customerIndexKey(customerId), ':before': before },
            Limit: limit - references.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) references.push(String(item.pk).slice('TX#'.length));
        start = page.LastEvaluatedKey;
      } while (start && references.length < limit);
      return references;
    },
  };
}
