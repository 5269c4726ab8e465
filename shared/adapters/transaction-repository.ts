import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dueAt, IMAGE_SWEEP_AFTER_MS, minuteBucket, verificationOverdueAt } from '#domain/drop-off';
import { type CaptureSide, submissionSource } from '#domain/journey';
import { choiceKey, type SubmitRule } from '#domain/submit-rule';
import { recordExpiresAt, type Transaction } from '#domain/transaction';
import type { Clock, Submission, TransactionRepository } from '#use-cases/ports';
import {
  batchGetAll,
  CREATED_INDEX,
  customerIndexKey,
  DUE_INDEX,
  dueBucketKey,
  queryAll,
  TTL_ATTRIBUTE,
  toEpochSeconds,
} from './dynamodb.ts';

const transactionKey = (reference: string) => ({ pk: `TX#${reference}`, sk: 'TRANSACTION' });

/**
 * One item per transaction, token digest included: initiate is a single `PutItem`, and the token
 * check a single `GetItem`, because the authorization token names its transaction's reference.
 * The clock is required: a stored expiry is only ever compared with the time the caller says it is.
 */
export function dynamoTransactionRepository(
  db: DynamoDBDocumentClient,
  tableName: string,
  clock: Clock,
): TransactionRepository {
  /** TTL deletion lags expiry by up to days: a record past its time is gone for every reader, as a deleted one. */
  const live = (item: Record<string, unknown>): Transaction | undefined =>
    isExpired(item, clock) || item.deletedAt !== undefined ? undefined : toTransaction(item);

  /**
   * STARTED → SUBMITTED under `condition` (its clauses ANDed; `:started` is given), the submission's
   * update whichever condition guards it. The scan source is not stored: it follows from `embedded`
   * and the captures' sources (`toTransaction`), which the write does not read.
   */
  const submitWhere = (
    reference: string,
    submission: Submission,
    condition: readonly string[],
    values: Record<string, unknown>,
  ) =>
    conditional(() =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: transactionKey(reference),
          // The rule has served (and would weigh on every later write); a resend mark from an
          // earlier submission would hide this one from the stream's filter (shared/streams.ts).
          UpdateExpression:
            'SET #state = :submitted, #document = :document, embedded = :embedded, submittedAt = :at, lastActivityAt = :at, #due = :due' +
            (submission.clientIp ? ', clientIp = :ip' : '') +
            ' REMOVE submitAllow, submitDeny, submitFace, submitBy, verifyQueuedAt, verifyResends',
          ConditionExpression: condition.join(' AND '),
          ExpressionAttributeNames: {
            '#state': 'state',
            '#document': 'document',
            '#due': DUE_INDEX.partition,
          },
          ExpressionAttributeValues: {
            // Due again if no verdict comes in time (a lost verify message): `verificationOverdueAt`.
            ':due': dueKey(verificationOverdueAt({ state: 'SUBMITTED', submittedAt: submission.at }) ?? 0),
            ':submitted': 'SUBMITTED',
            ':started': 'STARTED',
            ':document': submission.document,
            ':embedded': submission.embedded,
            ':at': submission.at,
            ...(submission.clientIp ? { ':ip': submission.clientIp } : {}),
            ...values,
          },
        }),
      ),
    );

  return {
    async create(transaction) {
      const { captures = {}, ...rest } = transaction;
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...transactionKey(transaction.reference),
            ...rest,
            ...Object.fromEntries(
              Object.entries(captures).map(([side, capture]) => [
                CAPTURE_ATTRIBUTES[side as CaptureSide],
                capture,
              ]),
            ),
            ...ttl(recordExpiresAt(transaction)),
            [CREATED_INDEX.partition]: customerIndexKey(transaction.customerId),
            ...dueBucket(dueAt(transaction)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(reference) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: transactionKey(reference), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : live(Item);
    },

    async getMany(references) {
      const items = await batchGetAll(db, tableName, references.map(transactionKey), {
        consistentRead: true,
      });
      const found = new Map<string, Transaction>();
      for (const transaction of items.map(live))
        if (transaction) found.set(transaction.reference, transaction);
      return found;
    },

    async markStarted(reference, startedAt, keepUntil, dropOff, rule) {
      const stored = storedRule(rule, keepUntil);
      // Another request that started it first is no failure.
      await conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: transactionKey(reference),
            UpdateExpression: [
              `SET #state = :started, startedAt = :at, #due = :due, ${Object.keys(stored)
                .map((name) => `${name} = :${name}`)
                .join(', ')}`,
              keepUntil === undefined ? ' REMOVE #ttl' : ', #ttl = :keepUntil',
            ].join(''),
            ConditionExpression: '#state = :initiated',
            ExpressionAttributeNames: {
              '#state': 'state',
              '#ttl': TTL_ATTRIBUTE,
              '#due': DUE_INDEX.partition,
            },
            ExpressionAttributeValues: {
              ':started': 'STARTED',
              ':initiated': 'INITIATED',
              ':at': startedAt,
              ...(keepUntil === undefined ? {} : { ':keepUntil': toEpochSeconds(keepUntil) }),
              ':due': dueKey(dropOff),
              ...Object.fromEntries(Object.entries(stored).map(([name, value]) => [`:${name}`, value])),
            },
          }),
        ),
      );
    },

    async recordCapture(reference, side, capture, dropOff) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: transactionKey(reference),
            UpdateExpression:
              'SET #capture = :capture, lastActivityAt = :at, firstAttemptAt = if_not_exists(firstAttemptAt, :at), #due = :due',
            ConditionExpression: '#state = :started',
            ExpressionAttributeNames: {
              '#state': 'state',
              '#capture': CAPTURE_ATTRIBUTES[side],
              '#due': DUE_INDEX.partition,
            },
            ExpressionAttributeValues: {
              ':capture': capture,
              ':at': capture.acceptedAt,
              ':started': 'STARTED',
              ':due': dueKey(dropOff),
            },
          }),
        ),
      );
    },

    async recordRefusal(reference, reason, at, dropOff) {
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: transactionKey(reference),
            UpdateExpression:
              'ADD refusedAttempts :one SET lastRejectReason = :reason, lastActivityAt = :at, firstAttemptAt = if_not_exists(firstAttemptAt, :at), #due = :due',
            ConditionExpression: '#state = :started',
            ExpressionAttributeNames: { '#state': 'state', '#due': DUE_INDEX.partition },
            ExpressionAttributeValues: {
              ':one': 1,
              ':reason': reason,
              ':at': at,
              ':started': 'STARTED',
              ':due': dueKey(dropOff),
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Attributes?.refusedAttempts as number;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },

    async submit(reference, submission) {
      return submitWhere(reference, submission, ['#state = :started'], {});
    },

    async submitChecked(reference, check, submission) {
      // Every clause is one of submitJourney's checks, on the attributes `markStarted` stored for
      // them (storedRule), and no more: DynamoDB Local's cost grows with the expression, by a
      // seventh of its throughput for the first version of this one. The token's digest is compared
      // by DynamoDB (equality of two SHA-256 digests: its timing tells nothing about the token); an
      // erased record has none, so it fails there. A record started without a rule fails the last
      // clause, and submitBy.
      const condition = [
        'tokenHash = :tokenHash',
        '#state = :started',
        'tokenExpiresAt > :now',
        'submitBy > :now',
        ...check.sides.map((side) => `attribute_exists(${CAPTURE_ATTRIBUTES[side]})`),
        `(attribute_not_exists(submitFace) OR attribute_exists(${CAPTURE_ATTRIBUTES.face}))`,
        '(contains(submitAllow, :choice) OR (attribute_exists(submitDeny) AND NOT contains(submitDeny, :choice)))',
      ];
      return submitWhere(reference, submission, condition, {
        ':tokenHash': check.tokenHash,
        ':now': check.now,
        ':choice': choiceKey(submission.document.country, submission.document.idType),
      });
    },

    async markVerifyResent(reference, at, nextDue) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: transactionKey(reference),
            UpdateExpression:
              nextDue === undefined
                ? 'SET verifyQueuedAt = :at ADD verifyResends :one REMOVE #due'
                : 'SET verifyQueuedAt = :at, #due = :due ADD verifyResends :one',
            ConditionExpression: 'attribute_not_exists(deletedAt) AND #state IN (:submitted, :processing)',
            ExpressionAttributeNames: { '#state': 'state', '#due': DUE_INDEX.partition },
            ExpressionAttributeValues: {
              ':at': at,
              ':one': 1,
              ':submitted': 'SUBMITTED',
              ':processing': 'PROCESSING',
              ...(nextDue === undefined ? {} : { ':due': dueKey(nextDue) }),
            },
          }),
        ),
      );
    },

    async finish(reference, outcome, at, state, options = {}) {
      const from = options.from ?? ['INITIATED', 'STARTED', 'SUBMITTED', 'PROCESSING'];
      const names = from.map((_, index) => `:from${index}`);
      const keep = 'keepUntil' in options;
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: transactionKey(reference),
            UpdateExpression:
              `SET #state = :state, outcome = :outcome, completedAt = :at` +
              (keep && options.keepUntil !== undefined ? ', #ttl = :keepUntil' : '') +
              // A journey finished before its submission (a drop-off, 9835) has no more use for its rule.
              ` REMOVE ${DUE_INDEX.partition}, submitAllow, submitDeny, submitFace, submitBy` +
              (keep && options.keepUntil === undefined ? ', #ttl' : ''),
            ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(deletedAt) AND #state IN (${names.join(', ')})`,
            ExpressionAttributeNames: { '#state': 'state', ...(keep ? { '#ttl': TTL_ATTRIBUTE } : {}) },
            ExpressionAttributeValues: {
              ':state': state,
              ':outcome': outcome,
              ':at': at,
              ...Object.fromEntries(from.map((value, index) => [`:from${index}`, value])),
              ...(keep && options.keepUntil !== undefined
                ? { ':keepUntil': toEpochSeconds(options.keepUntil) }
                : {}),
            },
          }),
        ),
      );
    },

    async dueForDropOff(bucket) {
      const items = await queryAll(db, {
        TableName: tableName,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: '#due = :due',
        ExpressionAttributeNames: { '#due': DUE_INDEX.partition },
        ExpressionAttributeValues: { ':due': dueBucketKey(bucket) },
      });
      return items.map((item) => String(item.pk).slice('TX#'.length));
    },

    async erase(reference, at) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: transactionKey(reference), ConsistentRead: true }),
      );
      if (Item === undefined) return;
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...transactionKey(reference),
            reference,
            customerId: Item.customerId,
            createdAt: Item.createdAt,
            deletedAt: at,
            // The audit record is kept as long as the transaction would have been.
            [TTL_ATTRIBUTE]: Item[TTL_ATTRIBUTE],
            // Due once more, for the sweep of images a late upload may still bring (IMAGE_SWEEP_AFTER_MS).
            ...dueBucket(Date.parse(at) + IMAGE_SWEEP_AFTER_MS),
          },
        }),
      );
    },

    async markCallbackQueued(reference, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: transactionKey(reference),
          UpdateExpression: 'SET callbackQueuedAt = if_not_exists(callbackQueuedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    },
  };
}

/** Each side's image is an attribute of its own, so that two sides never overwrite each other. */
const CAPTURE_ATTRIBUTES: Record<CaptureSide, string> = {
  front: 'captureFront',
  back: 'captureBack',
  face: 'captureFace',
};

/**
 * The submission's rule as `markStarted` stores it, in top-level attributes that a condition names
 * without placeholders: `submitAllow` (the choices allowed) or `submitDeny` (those refused; empty
 * when everything is allowed), `submitFace` when a selfie is needed, and `submitBy`, the record's
 * own expiry (its TTL, which no write changes while the journey is open; far off when kept for
 * good). No reader sees them (`toTransaction`).
 */
function storedRule(rule: SubmitRule, keepUntil: number | undefined): Record<string, unknown> {
  return {
    ...('allow' in rule ? { submitAllow: rule.allow } : { submitDeny: 'deny' in rule ? rule.deny : [] }),
    ...(rule.face ? { submitFace: true } : {}),
    submitBy: keepUntil ?? Number.MAX_SAFE_INTEGER,
  };
}

/** Runs a conditional write: true when it applied, false when its condition failed. */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The TTL attribute for a keep-until time; none when the record is kept for good. */
function ttl(keepUntil: number | undefined): Record<string, number> {
  return keepUntil === undefined ? {} : { [TTL_ATTRIBUTE]: toEpochSeconds(keepUntil) };
}

/** The due index's key for the minute of `at` (epoch ms). */
const dueKey = (at: number): string => dueBucketKey(minuteBucket(at));

/** The index attribute for a due time; none once the drop-off job has nothing more to do with it. */
function dueBucket(at: number | undefined): Record<string, string> {
  return at === undefined ? {} : { [DUE_INDEX.partition]: dueKey(at) };
}

function isExpired(item: Record<string, unknown>, clock: Clock): boolean {
  const expiresAt = item[TTL_ATTRIBUTE];
  return typeof expiresAt === 'number' && expiresAt * 1000 <= clock.now().getTime();
}

function toTransaction(item: Record<string, unknown>): Transaction {
  const {
    pk: _pk,
    sk: _sk,
    [TTL_ATTRIBUTE]: _expiresAt,
    captureFront,
    captureBack,
    captureFace,
    [DUE_INDEX.partition]: _due,
    [CREATED_INDEX.partition]: _customerKey,
    submitAllow: _allow,
    submitDeny: _deny,
    submitFace: _face,
    submitBy: _by,
    embedded,
    ...rest
  } = item;
  const captures: Transaction['captures'] = Object.fromEntries(
    Object.entries({ front: captureFront, back: captureBack, face: captureFace }).filter(
      ([, capture]) => capture !== undefined,
    ),
  );
  const transaction = rest as unknown as Transaction;
  // A submission stores where the journey ran; the source follows from it and the images' sources.
  const source =
    transaction.source ??
    (typeof embedded === 'boolean' && transaction.document
      ? submissionSource(embedded, transaction.document.idType, captures)
      : undefined);
  return {
    ...transaction,
    ...(Object.keys(captures).length > 0 ? { captures } : {}),
    ...(source ? { source } : {}),
  };
}
