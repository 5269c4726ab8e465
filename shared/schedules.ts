import type { ImageAccess, QueueName, TableGrant } from './routes.ts';

/**
 * The one table of scheduled jobs, read by `infra/` (an EventBridge rule per job, invoking its
 * function) and `local/` (a timer per job), as routes.ts and queues.ts are for the others.
 */
export interface ScheduleDefinition {
  name: string;
  /** Exports `handler`, invoked with no meaningful event. */
  entry: string;
  everyMinutes: number;
  /** Exactly the table calls it makes. */
  table: readonly TableGrant[];
  images?: ImageAccess;
  sends?: readonly QueueName[];
  /** Seconds it may run. */
  timeoutSeconds: number;
}

export const SCHEDULES = [
  {
    // Final callbacks for journeys abandoned or never started (use-cases/drop-offs.ts).
    name: 'dropOffs',
    entry: 'functions/jobs/drop-offs.ts',
    everyMinutes: 1,
    table: [
      { actions: ['Query'], keys: ['DUE#'], index: 'due' },
      { actions: ['BatchGetItem', 'UpdateItem'], keys: ['TX#'] },
      { actions: ['GetItem', 'PutItem'], keys: ['JOB#'] },
    ],
    // Sweeps the images of deleted transactions once more (a late upload).
    images: { read: true, delete: true },
    // The drop-offs' final callbacks; the verify message again when a verification is overdue.
    sends: ['callback', 'verify'],
    timeoutSeconds: 300,
  },
  {
    // Purges what falls outside each customer's retention period (use-cases/retention.ts).
    name: 'retention',
    entry: 'functions/jobs/retention.ts',
    everyMinutes: 60,
    table: [
      { actions: ['Query'], keys: ['CUSTOMERS'] },
      { actions: ['GetItem'], keys: ['CUSTOMER#'] },
      { actions: ['Query'], keys: ['CUSTOMER#'], index: 'created' },
      { actions: ['GetItem', 'PutItem'], keys: ['TX#'] },
    ],
    images: { read: true, delete: true },
    timeoutSeconds: 900,
  },
] as const satisfies readonly ScheduleDefinition[];
