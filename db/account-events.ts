import { isDuplicateKey } from './duplicate-key.js';
import { accountEventIdOf, type AccountEvent, type AccountEventKind } from './models/account-event.js';
import type { Models } from './models/index.js';
import { withDatabaseRetry } from './retry.js';

// An account's timeline (db/models/account-event.ts): written once per (account, sequence) by a
// unique `_id` insert, read in a fixed number of queries by the account page, pruned by age.

type Events = Pick<Models, 'AccountEvent'>;

/** State changes drawn at most (one batch: a read costs one round trip whatever the history). */
const STATE_EVENTS_READ = 2000;

export type NewAccountEvent = Omit<AccountEvent, '_id'>;

/** Inserts the event unless one with its (account, sequence) exists; returns whether this call wrote it. */
export async function appendAccountEvent(models: Events, event: NewAccountEvent): Promise<boolean> {
  try {
    await withDatabaseRetry(() => models.AccountEvent.create({ ...event, _id: accountEventIdOf(event.accountId, event.sequence) }));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Inserts several events in one command (unordered): each is written unless one with its
 * (account, sequence) exists, so a retry writes only what its attempt before did not.
 */
export async function appendAccountEvents(models: Events, events: NewAccountEvent[]): Promise<void> {
  if (events.length <= 1) {
    if (events[0]) await appendAccountEvent(models, events[0]);
    return;
  }
  const docs = events.map((event) => ({ ...event, _id: accountEventIdOf(event.accountId, event.sequence) }));
  try {
    await withDatabaseRetry(() => models.AccountEvent.insertMany(docs, { ordered: false }));
  } catch (error) {
    if (!onlyDuplicates(error)) throw error;
  }
}

/** A bulk insert whose every failure was a duplicate `_id` (events an earlier attempt wrote). */
function onlyDuplicates(error: unknown): boolean {
  const { writeErrors } = (error ?? {}) as { writeErrors?: unknown[] };
  if (!Array.isArray(writeErrors) || writeErrors.length === 0) return isDuplicateKey(error);
  return writeErrors.every((writeError) => isDuplicateKey(writeError) || isDuplicateKey((writeError as { err?: unknown }).err));
}

/** Events from `from` on (all without `from`) that stated the account's state, oldest first: the timeline's bands. */
export function stateEventsSince(models: Events, accountId: string, from: Date | undefined): Promise<Pick<AccountEvent, 'at' | 'state'>[]> {
  return models.AccountEvent.find({ accountId, state: { $exists: true }, ...(from ? { at: { $gte: from } } : {}) }, { at: 1, state: 1 })
    .sort({ at: 1, sequence: 1 })
    .limit(STATE_EVENTS_READ)
    .batchSize(STATE_EVENTS_READ)
    .lean();
}

/** The newest `limit` events from `from` on, and whether older ones in the range were left out: the timeline's markers. */
export async function latestAccountEvents(models: Events, accountId: string, from: Date | undefined, limit: number): Promise<{ events: AccountEvent[]; more: boolean }> {
  const docs = await models.AccountEvent.find({ accountId, ...(from ? { at: { $gte: from } } : {}) })
    .sort({ at: -1, sequence: -1 })
    .limit(limit + 1)
    .batchSize(limit + 1)
    .lean();
  return { events: docs.slice(0, limit), more: docs.length > limit };
}

/** The newest event of one of `kinds` (the last renewal, the last check). */
export async function latestEventOf(models: Events, accountId: string, kinds: readonly AccountEventKind[]): Promise<AccountEvent | undefined> {
  return (await models.AccountEvent.findOne({ accountId, kind: { $in: kinds } }).sort({ at: -1, sequence: -1 }).lean()) ?? undefined;
}

/** The latest event before `at` that stated the account's state: the colour the timeline starts with. */
export async function lastStateBefore(models: Events, accountId: string, at: Date): Promise<AccountEvent | undefined> {
  return (await models.AccountEvent.findOne({ accountId, at: { $lt: at }, state: { $exists: true } }).sort({ at: -1, sequence: -1 }).lean()) ?? undefined;
}

/** One page of the event list, newest first; one more than `limit` is read to tell whether another page follows. */
export async function accountEventPage(
  models: Events,
  input: { accountId: string; kinds?: readonly AccountEventKind[]; from?: Date; skip: number; limit: number },
): Promise<{ events: AccountEvent[]; more: boolean }> {
  const filter: Record<string, unknown> = { accountId: input.accountId };
  if (input.kinds && input.kinds.length > 0) filter.kind = { $in: input.kinds };
  if (input.from) filter.at = { $gte: input.from };
  const docs = await models.AccountEvent.find(filter)
    .sort({ at: -1, sequence: -1 })
    .skip(input.skip)
    .limit(input.limit + 1)
    .batchSize(input.limit + 1)
    .lean();
  return { events: docs.slice(0, input.limit), more: docs.length > input.limit };
}

/** Deletes events older than `before` (the retention sweep); returns how many. */
export async function pruneAccountEvents(models: Events, before: Date): Promise<number> {
  return (await models.AccountEvent.deleteMany({ at: { $lt: before } })).deletedCount;
}
