import { randomUUID } from 'node:crypto';
import type { AccountRef, Identity, PlatformId, PremiumStatus } from '../platforms/types.js';
import type { Account, AccountState, AccountStatus } from './models/account.js';
import type { Models } from './models/index.js';
import { isInScope, type PenNameScope } from './models/pen-name.js';
import type { CredentialStore } from './credentials.js';
import { isDuplicateKey } from './duplicate-key.js';
import { readEach } from './read-each.js';
import { withDatabaseRetry } from './retry.js';
import { identityKeyOf, type AccountIdentity } from './models/account-identity.js';
import { slotHolderFor } from './models/plan-slot.js';
import { moveSlotHolder, releaseSlot } from './plan-slots.js';

// Reads and single-document writes of connected accounts.

/** Platforms whose revoke ends the whole Facebook login shared by every account connected through it. */
export const FACEBOOK_LOGIN_PLATFORMS: readonly PlatformId[] = ['facebook', 'instagram'];

export interface ConnectAccountInput {
  ownerId: string;
  penNameId: string;
  platform: PlatformId;
  identity: Identity;
  now?: Date;
}

/**
 * Connect or reconnect. The identity's record (db/models/account-identity.ts) names its account,
 * in one point read; a first connect inserts it, and its unique `_id` lets one of two racing first
 * connects create the account. Then one upsert by `_id`. A reconnect keeps the account id,
 * refreshes the identity and clears `disconnectedAt`.
 */
export async function upsertConnectedAccount(models: Models, input: ConnectAccountInput): Promise<{ accountId: string; created: boolean }> {
  const { ownerId, penNameId, platform, identity } = input;
  const now = input.now ?? new Date();
  const key = identityKeyOf({ penNameId, platform, externalId: identity.externalId });
  const set: Record<string, unknown> = {
    handle: identity.handle,
    displayName: identity.displayName,
    meta: identity.meta ?? {},
    connectedAt: now,
  };
  const unset: Record<string, ''> = { disconnectedAt: '' };
  if (identity.avatarUrl === undefined) unset.avatarUrl = '';
  else set.avatarUrl = identity.avatarUrl;
  const write = (accountId: string) =>
    withDatabaseRetry(() =>
      models.Account.findOneAndUpdate(
        { _id: accountId },
        { $set: set, $unset: unset, $setOnInsert: { ownerId, penNameId, platform, externalId: identity.externalId } },
        { upsert: true, returnDocument: 'after' },
      ).lean(),
    );

  let recorded: Pick<AccountIdentity, 'accountId'> | null = await withDatabaseRetry(() => models.AccountIdentity.findById(key).lean());
  let created = false;
  if (!recorded) {
    const candidate = { _id: key, accountId: randomUUID() };
    try {
      await withDatabaseRetry(() => models.AccountIdentity.create(candidate));
      recorded = candidate;
      created = true;
    } catch (error) {
      // Two first connects of the same identity raced: the loser's becomes a reconnect.
      if (!isDuplicateKey(error)) throw error;
      recorded = await withDatabaseRetry(() => models.AccountIdentity.findById(key).lean());
      if (!recorded) throw error;
    }
  }
  const recordedId = recorded.accountId;
  let doc;
  try {
    doc = await write(recordedId);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // The unique identity index: either a racing first connect inserted the account a moment ago,
    // or it was connected before identities were recorded, under another id. Adopt that account.
    const existing = await withDatabaseRetry(() => models.Account.findOne({ penNameId, platform, externalId: identity.externalId }, { _id: 1 }).lean());
    if (!existing) throw error;
    await withDatabaseRetry(() => models.AccountIdentity.updateOne({ _id: key }, { $set: { accountId: existing._id } }));
    created = created && existing._id === recordedId;
    doc = await write(existing._id);
  }
  if (!doc) throw new Error('the account was not written');
  return { accountId: doc._id, created };
}

export async function findAccount(models: Models, accountId: string): Promise<Account | undefined> {
  return (await withDatabaseRetry(() => models.Account.findById(accountId).lean())) ?? undefined;
}

const connected = { disconnectedAt: { $exists: false } };

/** A connected account of this owner and pen name; undefined for anyone else's (or a disconnected one). */
export async function findConnectedAccount(models: Models, scope: PenNameScope, accountId: string): Promise<Account | undefined> {
  const account = await findAccount(models, accountId);
  return account && isInScope(account, scope) && account.disconnectedAt === undefined ? account : undefined;
}

/** Whether the account (connected or not) is this owner's, in this pen name, on this platform. */
export async function isAccountOf(models: Models, scope: PenNameScope & { platform: PlatformId }, accountId: string): Promise<boolean> {
  const account = await models.Account.findById(accountId, { ownerId: 1, penNameId: 1, platform: 1 }).lean();
  return account !== null && isInScope(account, scope) && account.platform === scope.platform;
}

/**
 * The account of one identity in a pen name, if it was ever connected: two point reads. An identity
 * without a record may still have been connected before records existed: that case is a query.
 */
export async function findAccountOfIdentity(
  models: Models,
  identity: { penNameId: string; platform: PlatformId; externalId: string },
): Promise<Pick<Account, '_id' | 'disconnectedAt'> | undefined> {
  const recorded = await withDatabaseRetry(() => models.AccountIdentity.findById(identityKeyOf(identity)).lean());
  const projection = { _id: 1, disconnectedAt: 1 } as const;
  const account = recorded
    ? await withDatabaseRetry(() => models.Account.findById(recorded.accountId, projection).lean())
    : await withDatabaseRetry(() => models.Account.findOne(identity, projection).lean());
  return account ?? undefined;
}

/** Connected accounts of one pen name (optionally of one platform), oldest connection first, in one query. */
export async function accountsOfPenName(models: Models, scope: PenNameScope, filter: { platform?: PlatformId } = {}): Promise<Account[]> {
  return models.Account.find({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...(filter.platform ? { platform: filter.platform } : {}), ...connected })
    .sort({ connectedAt: 1 })
    .lean();
}

/** Every account of one pen name, disconnected ones too (posts keep showing where they went). */
export async function everyAccountOfPenName(models: Models, scope: PenNameScope): Promise<Account[]> {
  return models.Account.find({ ownerId: scope.ownerId, penNameId: scope.penNameId }).lean();
}

/** The owner's accounts among `accountIds`, disconnected ones too. */
export async function accountsByIds(models: Models, ownerId: string, accountIds: string[]): Promise<Account[]> {
  const accounts = await readEach(accountIds, (id) => models.Account.findById(id).lean());
  return accounts.filter((account) => account.ownerId === ownerId);
}

export function countConnectedAccounts(models: Models, scope: PenNameScope): Promise<number> {
  return models.Account.countDocuments({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...connected });
}

/** Connected accounts of the pen name whose status projection is in one of `states`, with what a banner names them by. */
export function accountsInStates(models: Models, scope: PenNameScope, states: readonly AccountState[]): Promise<Pick<Account, '_id' | 'platform' | 'handle' | 'displayName' | 'status'>[]> {
  return models.Account.find({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...connected, 'status.state': { $in: states } }, { platform: 1, handle: 1, displayName: 1, status: 1 })
    .sort({ connectedAt: 1 })
    .lean();
}

/** Connected accounts of the pen name whose status projection is in one of `states`. */
export function countAccountsInStates(models: Models, scope: PenNameScope, states: readonly AccountState[]): Promise<number> {
  return models.Account.countDocuments({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...connected, 'status.state': { $in: states } });
}

/**
 * Connected accounts of a platform user (the platform's own user id): the accounts themselves, and
 * for Facebook-login platforms those connected through that login. With `connectedBy`, only accounts
 * (re)connected no later than then.
 */
export async function accountsOfPlatformUser(
  models: Models,
  input: { platforms: PlatformId[]; userId: string; connectedBy?: Date },
): Promise<Pick<Account, '_id' | 'platform'>[]> {
  const loginPlatforms = input.platforms.filter((platform) => FACEBOOK_LOGIN_PLATFORMS.includes(platform));
  const filter: Record<string, unknown> = {
    ...connected,
    $or: [
      { platform: { $in: input.platforms }, externalId: input.userId },
      // Pages and Instagram accounts keep the Facebook login user they were connected through.
      ...(loginPlatforms.length ? [{ platform: { $in: loginPlatforms }, 'meta.userId': input.userId }] : []),
    ],
  };
  if (input.connectedBy) filter.connectedAt = { $lte: input.connectedBy };
  return models.Account.find(filter, { _id: 1, platform: 1 }).lean();
}

/** What adapters need to call the platform for this account. */
export function accountRefOf(account: Pick<Account, 'platform' | 'externalId' | 'handle' | 'meta'>): AccountRef {
  return { platform: account.platform, externalId: account.externalId, handle: account.handle, meta: { ...(account.meta ?? {}) } };
}

/** Ids of every account that is not disconnected (workers use it to make sure each has a running workflow). */
export async function listConnectedAccountIds(models: Models): Promise<string[]> {
  const docs = await models.Account.find(connected, { _id: 1 }).lean();
  return docs.map((doc) => doc._id);
}

export async function markDisconnected(models: Models, accountId: string, now: Date): Promise<void> {
  const account = await withDatabaseRetry(() => models.Account.findById(accountId, { disconnectedAt: 1 }).lean());
  if (!account || account.disconnectedAt) return;
  await withDatabaseRetry(() => models.Account.updateOne({ _id: accountId }, { $set: { disconnectedAt: now } }));
}

/**
 * The end of a disconnect: the tokens are deleted, the account is marked disconnected and its plan
 * slot is freed. Each step is idempotent, so a retry after a crash finishes the rest.
 */
export async function forgetAccount(
  models: Models,
  store: Pick<CredentialStore, 'deleteCredentials'>,
  account: Pick<Account, '_id' | 'ownerId' | 'penNameId' | 'platform' | 'externalId'>,
  now: Date,
): Promise<void> {
  await store.deleteCredentials(account._id);
  await markDisconnected(models, account._id, now);
  await releaseSlot(models, { ownerId: account.ownerId, holder: slotHolderFor(account) });
}

export async function recordPremium(models: Models, accountId: string, premium: PremiumStatus, now: Date): Promise<void> {
  await models.Account.updateOne({ _id: accountId }, { $set: { premium: { ...premium, checkedAt: now } } });
}

/**
 * Told of a status about to replace the stored one (read in the same round trip), before it is
 * written: a retry after the write compares with the new status and is told nothing again.
 */
export type StatusObserver = (change: { accountId: string; previous?: AccountStatus; next: AccountStatus; connectedAt?: Date }) => Promise<void>;

/**
 * Writes the status projection unless a write with the same or a higher sequence already landed, so
 * retried or out-of-order writes never regress what pages show. Returns whether it was applied.
 * A read then a write, both by `_id` (FerretDB scans for any other filter, and its conditional
 * updates are not atomic anyway): the account's workflow records its statuses one at a time, so
 * only a retried attempt that outlived its timeout can race with the next write, and the sequence
 * check still refuses it whenever it reads after that write.
 *
 * `read` is the account as the caller read it earlier in the same activity attempt (a connect reads
 * it anyway): the read is not repeated. Every attempt reads afresh, so a retry still sees what an
 * earlier attempt wrote.
 */
export async function writeStatus(
  models: Models,
  accountId: string,
  status: AccountStatus,
  beforeWrite?: StatusObserver,
  read?: Pick<Account, 'status' | 'connectedAt'>,
): Promise<boolean> {
  const stored = read ?? (await withDatabaseRetry(() => models.Account.findById(accountId, beforeWrite ? { status: 1, connectedAt: 1 } : { 'status.sequence': 1 }).lean()));
  if (!stored || (stored.status?.sequence ?? -Infinity) >= status.sequence) return false;
  await beforeWrite?.({ accountId, previous: stored.status, next: status, connectedAt: stored.connectedAt });
  await withDatabaseRetry(() => models.Account.updateOne({ _id: accountId }, { $set: { status } }));
  return true;
}

/**
 * Other connected accounts reached through the same Facebook login (`meta.userId`), whoever owns
 * them: revoking that login would cut them off too.
 */
export async function countOtherAccountsOnFacebookLogin(models: Models, account: Pick<Account, '_id' | 'meta'>): Promise<number> {
  const userId = account.meta?.userId;
  if (!userId) return 0;
  return models.Account.countDocuments({
    _id: { $ne: account._id },
    platform: { $in: FACEBOOK_LOGIN_PLATFORMS },
    'meta.userId': userId,
    disconnectedAt: { $exists: false },
  });
}

export type AccountMove = { ok: true } | { ok: false; problem: 'taken' };

/**
 * Moves a connected account to another pen name of its owner: the identity record of the new pen
 * name is inserted first (its unique `_id` refuses an identity already connected there), then the
 * account, its plan slot's holder, and the old identity record follow, each by `_id`; a retry
 * after a crash finishes the rest.
 */
export async function moveAccountToPenName(models: Models, account: Pick<Account, '_id' | 'ownerId' | 'penNameId' | 'platform' | 'externalId'>, penNameId: string): Promise<AccountMove> {
  const from = identityKeyOf(account);
  const to = identityKeyOf({ ...account, penNameId });
  try {
    await withDatabaseRetry(() => models.AccountIdentity.create({ _id: to, accountId: account._id }));
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const recorded = await withDatabaseRetry(() => models.AccountIdentity.findById(to).lean());
    if (recorded?.accountId !== account._id) return { ok: false, problem: 'taken' };
  }
  try {
    await withDatabaseRetry(() => models.Account.updateOne({ _id: account._id }, { $set: { penNameId } }));
  } catch (error) {
    // An account of that identity from before identity records exists in that pen name.
    if (!isDuplicateKey(error)) throw error;
    await withDatabaseRetry(() => models.AccountIdentity.deleteOne({ _id: to }));
    return { ok: false, problem: 'taken' };
  }
  await moveSlotHolder(models, { ownerId: account.ownerId, from, to });
  await withDatabaseRetry(() => models.AccountIdentity.deleteOne({ _id: from }));
  return { ok: true };
}
