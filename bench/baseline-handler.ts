// The baseline bundle: a bare handler that does only the work no DynamoDB-backed function can skip,
// importing the DynamoDB client and creating one at cold start.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({ region: process.env.AWS_REGION });

export const handler = async (event: { body?: string }) => {
  await client.send(
    new PutItemCommand({
      TableName: process.env.TABLE_NAME,
      Item: { pk: { S: 'BENCH' }, sk: { S: 'TX' }, body: { S: event.body ?? '' } },
    }),
  );
  return { statusCode: 200, body: '{}' };
};
