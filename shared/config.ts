import { journeyHostsProblems } from '#domain/journey-url';
import * as z from '#domain/zod';

/**
 * Environment configuration, read and validated once at cold start. A missing or malformed
 * variable fails the start with its name; nothing defaults a table or bucket name silently.
 */
export function readConfig<S extends z.core.$ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Where the AWS clients send their requests: AWS itself, or a local server speaking its API. */
export const AwsConfig = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  /** Set only by the local runner and the tests. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  S3_ENDPOINT: z.optional(z.url()),
  SQS_ENDPOINT: z.optional(z.url()),
});

export const TableConfig = z.extend(AwsConfig, { TABLE_NAME: z.string().check(z.minLength(1)) });

export const JourneyHostsConfig = z
  .object({
    /** The journey's origin, e.g. `https://verify.example.com`. */
    PUBLIC_BASE_URL: z.url(),
    /** Optional pattern with `{prefix}` for customers with a domain prefix. */
    PREFIXED_BASE_URL: z.optional(z.string().check(z.includes('{prefix}'))),
  })
  .check(
    z.superRefine((config, ctx) => {
      const problems = journeyHostsProblems({
        baseUrl: config.PUBLIC_BASE_URL,
        prefixedBaseUrl: config.PREFIXED_BASE_URL,
      });
      for (const problem of problems) {
        const [name, ...rest] = problem.split(' ');
        const variable =
          name === 'prefixedBaseUrl'
            ? 'PREFIXED_BASE_URL'
            : name === 'baseUrl'
              ? 'PUBLIC_BASE_URL'
              : undefined;
        ctx.addIssue({
          code: 'custom',
          path: [variable ?? 'PUBLIC_BASE_URL'],
          message: variable ? rest.join(' ') : problem,
        });
      }
    }),
  );
