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

const HOST_VARIABLES = { baseUrl: 'PUBLIC_BASE_URL', prefixedBaseUrl: 'PREFIXED_BASE_URL' } as const;

/** The journey's hosts; `journeyHostsProblems` holds every rule they must keep. */
export const JourneyHostsConfig = z
  .object({
    /** The journey's origin, e.g. `https://verify.example.com`. */
    PUBLIC_BASE_URL: z.string(),
    /** Optional pattern with `{prefix}` for customers with a domain prefix. */
    PREFIXED_BASE_URL: z.optional(z.string()),
  })
  .check(
    z.superRefine((config, ctx) => {
      const hosts = { baseUrl: config.PUBLIC_BASE_URL, prefixedBaseUrl: config.PREFIXED_BASE_URL };
      for (const { host, message } of journeyHostsProblems(hosts)) {
        ctx.addIssue({ code: 'custom', path: [HOST_VARIABLES[host]], message });
      }
    }),
  );

/** A queue's URL as the functions receive it (`QUEUE_URL_<NAME>`); local servers' hosts are not DNS names. */
export const QueueUrl = z.string().check(z.minLength(1));
