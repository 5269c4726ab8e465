import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JobCursors } from '#use-cases/ports';

/** A scheduled job's progress, one item per job (`JOB#<name>`, `CURSOR`). */
export function dynamoJobCursors(db: DynamoDBDocumentClient, tableName: string): JobCursors {
  const key = (job: string) => ({ pk: `JOB#${job}`, sk: 'CURSOR' });
  return {
    async get(job) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: key(job), ConsistentRead: true }),
      );
      return typeof Item?.value === 'string' ? Item.value : undefined;
    },
    async set(job, value) {
      await db.send(new PutCommand({ TableName: tableName, Item: { ...key(job), value } }));
    },
  };
}
