import type { SqsConfig } from '#adapters/sqs-work-queue';
import type { ImageStore, WorkQueue } from '#use-cases/ports';
import type { ImagesSettings } from './images.ts';

/**
 * Adapters built on first use, for a bundle that serves several functions of which only some use
 * them (functions/api/scans.ts: seven of its ten functions never touch S3 or SQS). Their modules are
 * loaded with `import()`, which esbuild keeps in the same bundle but evaluates only when called.
 *
 * Not for an adapter a function uses on every request: esbuild then wraps every module the lazy one
 * shares with the rest of the bundle (the SDK's core) in a deferred initialiser, which the cold start
 * calls anyway and V8 parses twice; measured, that costs more than the lazy module saves. Such a
 * function imports `./images.ts` or `./work-queues.ts` statically, and only those it uses.
 */

/** The image bucket's store (`./images.ts`), built on its first call. */
export function s3ImagesOnFirstUse(config: ImagesSettings): ImageStore {
  return onFirstUse(async () => (await import('./images.ts')).s3Images(config), IMAGE_STORE_METHODS);
}

/** A work queue on SQS (`./work-queues.ts`), built on its first send. */
export function sqsQueueOnFirstUse(config: SqsConfig, queueUrl: string): WorkQueue {
  return onFirstUse(
    async () => (await import('./work-queues.ts')).sqsQueue(config, queueUrl),
    WORK_QUEUE_METHODS,
  );
}

const IMAGE_STORE_METHODS = {
  presignUpload: true,
  get: true,
  put: true,
  deletePrefix: true,
} as const satisfies Record<keyof ImageStore, true>;

const WORK_QUEUE_METHODS = { send: true } as const satisfies Record<keyof WorkQueue, true>;

/**
 * A port whose methods (all asynchronous) build the adapter on the first call and delegate to it.
 * A build that fails is tried again on the next call, as a cold start that failed would be.
 */
export function onFirstUse<T extends { [K in keyof T]: (...args: never[]) => Promise<unknown> }>(
  build: () => Promise<T>,
  methods: Record<keyof T, true>,
): T {
  let built: Promise<T> | undefined;
  const adapter = () =>
    (built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
  return Object.fromEntries(
    Object.keys(methods).map((name) => [
      name,
      async (...args: unknown[]) => {
        const target = await adapter();
        const method = target[name as keyof T] as unknown as (...args: unknown[]) => Promise<unknown>;
        return method.apply(target, args);
      },
    ]),
  ) as unknown as T;
}
