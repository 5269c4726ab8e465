import { defineConfig } from 'vitest/config';

/**
 * Four suites: unit (pure, milliseconds), integration (repositories and use cases against real
 * DynamoDB-API, S3-API and SQS-API servers started once for the run), e2e (the local stack started
 * as `npm start` runs it, driven over HTTP and in Chromium), infra (CDK template assertions).
 */
/** Unit and integration tests run on a clock moved 400 days from the real one (see the file). */
const SHIFTED_CLOCK = 'test/support/shifted-clock.ts';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: [SHIFTED_CLOCK] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/servers.ts'],
          setupFiles: [SHIFTED_CLOCK],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
