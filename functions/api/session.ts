// (API Gateway) --> open session --> domain: GET /api/v4/session, the journey's token check
import { documentClient } from '#adapters/dynamodb';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { api } from '#http/api';
import { bearerToken, header } from '#http/request';
import { readConfig, TableConfig } from '#shared/config';
import { openSession } from '#use-cases/open-session';
import { systemClock } from '#use-cases/ports';

const config = readConfig(TableConfig);
const deps = {
  transactions: dynamoTransactionRepository(documentClient(config), config.TABLE_NAME, systemClock),
  clock: systemClock,
};

export const handler = api({ apiHeaders: false }).handle(async ({ event }) => ({
  ...(await openSession(deps, bearerToken(header(event, 'authorization')))),
}));
