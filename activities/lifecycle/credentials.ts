import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { accountRefOf, countOtherAccountsOnFacebookLogin, FACEBOOK_LOGIN_PLATFORMS, forgetAccount, recordPremium } from '../../db/accounts.js';
import type { StoredCredentials } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { IssuedTokens, PlatformAdapter, PremiumStatus } from '../../platforms/types.js';
import { renewalEvent, validationEvent } from '../../workflows/lifecycle/projection.js';
import type { CredentialFacts, OperationResult, RenewInput, RevokeResult, ValidateInput } from './contract.js';
import { activityLog, loadAccountCredentials, missingCredentials, notConfigured, type LifecycleContext } from './deps.js';
import { credentialFacts } from './facts.js';
import { recordOutcome } from './status.js';

// Activities that use an account's stored credentials with its platform. Platform outcomes are
// returned (the workflow classifies them); only infrastructure errors throw, so Temporal retries them.

type FactsResult = OperationResult<{ facts: CredentialFacts }>;

const PERSIST_ATTEMPTS = 5;
/** Longer than one platform call (10 s timeout) plus the storing retries. */
const RENEWAL_LEASE_MS = 60_000;
const RENEWAL_WAIT_SLACK_MS = 5_000;
const RENEWAL_POLL_MS = 250;

export function credentialActivities(context: LifecycleContext) {
  const { models, adapters, store, clock } = context;

  const loadFor = (accountId: string) => loadAccountCredentials(context, accountId);

  /**
   * A rotated refresh token is already spent when the platform answers: the new tokens must reach
   * the database, so a failed write is retried here rather than by re-running the activity (which
   * would replay the spent token). Undefined when another writer stored the next version first.
   */
  async function persistRenewal(accountId: string, held: StoredCredentials, issued: IssuedTokens): Promise<StoredCredentials | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.storeRenewal(accountId, held, issued, clock());
      } catch (error) {
        if (attempt >= PERSIST_ATTEMPTS) {
          activityLog().error('renewed tokens could not be stored; the account will need reconnecting if the platform rotated them', {
            accountId,
            error: (error as Error).message,
          });
          throw error;
        }
        await sleep(250 * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * Calls the platform at most once per stored version: the stored version is compared with the
   * workflow's, and a renewal lease (a claim: unique insert with generations) keeps a second
   * concurrent attempt (e.g. one Temporal started after a timeout while the first still runs) from
   * replaying the same refresh token; it waits for the first attempt's result instead.
   */
  async function renew(account: Account, knownVersion: number, firstRead: StoredCredentials | undefined): Promise<FactsResult> {
    const accountId = account._id;
    const adapter = adapters[account.platform];
    if (!adapter) return { outcome: 'failed', failure: notConfigured(account.platform) };
    const waitUntil = Date.now() + RENEWAL_LEASE_MS + RENEWAL_WAIT_SLACK_MS;
    const reuse = (stored: StoredCredentials): FactsResult => {
      // A renewal (or reconnect) already landed, e.g. stored just before a crash: never call the platform again.
      activityLog().info('credentials already newer than the workflow knew; reusing them', { accountId, version: stored.version });
      return { outcome: 'ok', facts: credentialFacts(adapter, stored, clock()) };
    };
    for (let round = 0; ; round++) {
      const stored = round === 0 ? firstRead : await store.loadCredentials(accountId);
      if (!stored) return { outcome: 'failed', failure: missingCredentials(account) };
      if (stored.version > knownVersion) return reuse(stored);
      const generation = await store.claimRenewal(accountId, stored.version, context.workerIdentity, clock(), RENEWAL_LEASE_MS);
      if (generation !== undefined) {
        let renewed = false;
        try {
          // The head lags a version whose writer died before copying it: check, so an old refresh token is never spent.
          const newer = await store.findNewer(accountId, stored.version);
          if (newer && newer.version > knownVersion) return reuse(newer);
          // A head behind what the workflow knows: it is repaired now, so the next round renews the newest.
          if (newer) continue;
          const result = await renewHeld(account, adapter, stored);
          renewed = result.outcome === 'ok';
          return result;
        } finally {
          // A renewal that stored a new version leaves its claim to expire: nobody renews that version again.
          if (!renewed) await store.releaseRenewal(accountId, stored.version, generation, clock());
        }
      }
      if (Date.now() > waitUntil) throw new Error(`another attempt is still renewing the credentials of account ${accountId}`);
      Context.current().heartbeat();
      await Context.current().sleep(RENEWAL_POLL_MS);
    }
  }

  async function validate(account: Account, stored: StoredCredentials | undefined): Promise<OperationResult<{ dataAccessSec?: number }>> {
    const accountId = account._id;
    const adapter = adapters[account.platform];
    if (!adapter) return { outcome: 'failed', failure: notConfigured(account.platform) };
    if (!stored) return { outcome: 'failed', failure: missingCredentials(account) };
    const check = await adapter.validate(accountRefOf(account), stored.credentials);
    context.metrics.healthCheck(account.platform, check.kind);
    if (check.kind !== 'ok') return { outcome: 'failed', failure: check };
    const dataAccessSec = check.value.dataAccessLifetimeSec;
    if (dataAccessSec === undefined) return { outcome: 'ok' };
    await store.recordDataAccessExpiry(accountId, new Date(clock().getTime() + dataAccessSec * 1000));
    return { outcome: 'ok', dataAccessSec };
  }

  /** Holding the renewal claim: one platform call (in its paced turn), then the result is stored at once. */
  async function renewHeld(account: Account, adapter: PlatformAdapter, stored: StoredCredentials): Promise<FactsResult> {
    // Paced right before the request, after the database work, so the spacing reaches the platform intact.
    await context.paceTokenRequests(account.platform);
    const renewed = await adapter.refresh(accountRefOf(account), stored.credentials);
    context.metrics.renewal(account.platform, renewed.kind);
    if (renewed.kind !== 'ok') return { outcome: 'failed', failure: renewed };
    const written = await persistRenewal(account._id, stored, renewed.value);
    if (written) return { outcome: 'ok', facts: credentialFacts(adapter, written, clock()) };
    activityLog().warn('another writer stored credentials first; using them', { accountId: account._id });
    const current = await store.loadLatestCredentials(account._id);
    if (!current) return { outcome: 'failed', failure: missingCredentials(account) };
    return { outcome: 'ok', facts: credentialFacts(adapter, current, clock()) };
  }

  return {
    /** Renews (see `renew`), then records the status projection of the outcome when asked to: one activity per renewal. */
    async renewCredentials(input: RenewInput): Promise<FactsResult> {
      const { account, stored } = await loadFor(input.accountId);
      const read = { account, at: Date.now() };
      const result = await renew(account, input.knownVersion, stored);
      if (input.record) await recordOutcome(context, input.accountId, input.record, renewalEvent(result, input.record.now, input.record.jitter), read);
      return result;
    },

    /** A health check that renews nothing; records the status projection of the outcome when asked to. */
    async validateCredentials(input: string | ValidateInput): Promise<OperationResult<{ dataAccessSec?: number }>> {
      const { accountId, record } = typeof input === 'string' ? { accountId: input, record: undefined } : input;
      const { account, stored } = await loadFor(accountId);
      const read = { account, at: Date.now() };
      const result = await validate(account, stored);
      if (record) await recordOutcome(context, accountId, record, validationEvent(result, record.now, record.jitter), read);
      return result;
    },

    /** Best effort at the platform; the disconnect itself always completes. */
    async revokeCredentials(accountId: string): Promise<RevokeResult> {
      const { account, adapter, stored } = await loadFor(accountId);
      let result: RevokeResult;
      if (!stored) {
        result = { code: 'noCredentials' };
      } else if (!adapter) {
        result = { code: 'notConfigured' };
      } else if (FACEBOOK_LOGIN_PLATFORMS.includes(account.platform) && (await countOtherAccountsOnFacebookLogin(models, account)) > 0) {
        result = { code: 'sharedLogin' };
      } else {
        const outcome = await adapter.revoke(accountRefOf(account), stored.credentials);
        if (outcome.kind === 'ok') result = { code: outcome.value.revokedAtPlatform ? 'revoked' : 'noRevokeApi' };
        else if (outcome.kind === 'reauthRequired') result = { code: 'alreadyRejected' };
        else result = { code: 'failed', detail: outcome.message };
      }
      await forgetAccount(models, store, account, clock());
      activityLog().info('account disconnected', { accountId, revoke: result.code });
      return result;
    },

    async checkPremium(accountId: string): Promise<OperationResult<{ premium: PremiumStatus }>> {
      const { account, adapter, stored } = await loadFor(accountId);
      if (account.platform !== 'x') return { outcome: 'failed', failure: { kind: 'invalid', message: 'Only X has Premium subscriptions' } };
      if (!adapter?.premiumStatus) return { outcome: 'failed', failure: notConfigured(account.platform) };
      if (!stored) return { outcome: 'failed', failure: missingCredentials(account) };
      const status = await adapter.premiumStatus(accountRefOf(account), stored.credentials);
      if (status.kind !== 'ok') return { outcome: 'failed', failure: status };
      await recordPremium(models, accountId, status.value, clock());
      return { outcome: 'ok', premium: status.value };
    },
  };
}
