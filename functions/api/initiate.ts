// (API Gateway) --> initiate --> domain: POST /api/v4/initiate

import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { InitiateRequest } from '#domain/initiate-request';
import { api } from '#http/api';
import { JourneyHostsConfig, readConfig, TableConfig } from '#shared/config';
import { createAuthenticator } from '#use-cases/authenticate';
import { initiate } from '#use-cases/initiate';
import { systemClock } from '#use-cases/ports';

const config = readConfig(TableConfig);
const hostsConfig = readConfig(JourneyHostsConfig);
const db = documentClient(config);
const customers = dynamoCustomerRepository(db, config.TABLE_NAME, systemClock);
const deps = {
  transactions: dynamoTransactionRepository(db, config.TABLE_NAME, systemClock),
  clock: systemClock,
  hosts: { baseUrl: hostsConfig.PUBLIC_BASE_URL, prefixedBaseUrl: hostsConfig.PREFIXED_BASE_URL },
};

export const handler = api({
  auth: createAuthenticator({ customers, clock: systemClock }),
  body: InitiateRequest,
}).handle(({ customer, body }) => initiate(deps, customer, body));
