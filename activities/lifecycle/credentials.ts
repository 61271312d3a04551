import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { accountRefOf, countOtherAccountsOnFacebookLogin, FACEBOOK_LOGIN_PLATFORMS, forgetAccount, recordPremium } from '../../db/accounts.js';
import type { StoredCredentials } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { IssuedTokens, PlatformAdapter, PremiumStatus } from '../../platforms/types.js';
import { renewalEvent, validationEvent } from '../../workflows/lifecycle/projection.js';
import type { CredentialFacts, OperationResult, RenewInput, RevokeResult, ValidateInput } from './contract.js';
import { activityLog, missingCredentials, notConfigured, requireAccount, type LifecycleContext } from './deps.js';
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

  async function loadFor(accountId: string) {
    const account = await requireAccount(models, accountId);
    const adapter = adapters[account.platform];
    const stored = await store.loadCredentials(accountId);
    return { account, adapter, stored };
  }

  /**
   * A rotated refresh token is already spent when the platform answers: the new tokens must reach
   * the database, so a failed write is retried here rather than by re-running the activity (which
   * would replay the spent token).
   */
  async function persistRenewal(accountId: string, expectedVersion: number, issued: IssuedTokens) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.replaceAfterRenewal(accountId, expectedVersion, issued, clock());
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
   * workflow's, and a renewal lease (unique insert) keeps a second concurrent attempt (e.g. one
   * Temporal started after a timeout while the first still runs) from replaying the same refresh
   * token; it waits for the first attempt's result instead.
   */
  async function renew({ accountId, knownVersion }: RenewInput): Promise<FactsResult> {
    const account = await requireAccount(models, accountId);
    const adapter = adapters[account.platform];
    if (!adapter) return { outcome: 'failed', failure: notConfigured(account.platform) };
    const waitUntil = Date.now() + RENEWAL_LEASE_MS + RENEWAL_WAIT_SLACK_MS;
    for (;;) {
      const stored = await store.loadCredentials(accountId);
      if (!stored) return { outcome: 'failed', failure: missingCredentials(account) };
      if (stored.version > knownVersion) {
        // A renewal (or reconnect) already landed, e.g. stored just before a crash: never call the platform again.
        activityLog().info('credentials already newer than the workflow knew; reusing them', { accountId, version: stored.version });
        return { outcome: 'ok', facts: credentialFacts(adapter, stored, clock()) };
      }
      if (await store.claimRenewal(accountId, stored.version, context.workerIdentity, clock(), RENEWAL_LEASE_MS)) {
        try {
          return await renewHeld(account, adapter, stored);
        } finally {
          await store.releaseRenewal(accountId, stored.version);
        }
      }
      if (Date.now() > waitUntil) throw new Error(`another attempt is still renewing the credentials of account ${accountId}`);
      Context.current().heartbeat();
      await Context.current().sleep(RENEWAL_POLL_MS);
    }
  }

  async function validate(accountId: string): Promise<OperationResult<{ dataAccessSec?: number }>> {
    const { account, adapter, stored } = await loadFor(accountId);
    if (!adapter) return { outcome: 'failed', failure: notConfigured(account.platform) };
    if (!stored) return { outcome: 'failed', failure: missingCredentials(account) };
    const check = await adapter.validate(accountRefOf(account), stored.credentials);
    if (check.kind !== 'ok') return { outcome: 'failed', failure: check };
    const dataAccessSec = check.value.dataAccessLifetimeSec;
    if (dataAccessSec === undefined) return { outcome: 'ok' };
    await store.recordDataAccessExpiry(accountId, new Date(clock().getTime() + dataAccessSec * 1000));
    return { outcome: 'ok', dataAccessSec };
  }

  /** Holding the renewal lease: one platform call, then the result is stored at once. */
  async function renewHeld(account: Account, adapter: PlatformAdapter, stored: StoredCredentials): Promise<FactsResult> {
    const renewed = await adapter.refresh(accountRefOf(account), stored.credentials);
    if (renewed.kind !== 'ok') return { outcome: 'failed', failure: renewed };
    const write = await persistRenewal(account._id, stored.version, renewed.value);
    if (write.kind === 'conflict') activityLog().warn('another writer stored credentials first; using them', { accountId: account._id });
    const current = await store.loadCredentials(account._id);
    if (!current) return { outcome: 'failed', failure: missingCredentials(account) };
    return { outcome: 'ok', facts: credentialFacts(adapter, current, clock()) };
  }

  return {
    async inspectCredentials(input: { accountId: string; verifyWithPlatform: boolean }): Promise<FactsResult> {
      const { account, adapter, stored } = await loadFor(input.accountId);
      if (!adapter) return { outcome: 'failed', failure: notConfigured(account.platform) };
      if (!stored) return { outcome: 'failed', failure: missingCredentials(account) };
      if (input.verifyWithPlatform) {
        const check = await adapter.validate(accountRefOf(account), stored.credentials);
        if (check.kind === 'reauthRequired' || check.kind === 'invalid') return { outcome: 'failed', failure: check };
        if (check.kind === 'ok' && check.value.dataAccessLifetimeSec !== undefined) {
          await store.recordDataAccessExpiry(input.accountId, new Date(clock().getTime() + check.value.dataAccessLifetimeSec * 1000));
          return { outcome: 'ok', facts: credentialFacts(adapter, (await store.loadCredentials(input.accountId)) ?? stored, clock()) };
        }
        if (check.kind !== 'ok') {
          // The tokens were just issued; a platform hiccup does not make them doubtful.
          activityLog().warn('could not verify new credentials with the platform', { accountId: input.accountId, outcome: check.kind });
        }
      }
      return { outcome: 'ok', facts: credentialFacts(adapter, stored, clock()) };
    },

    /** Renews (see `renew`), then records the status projection of the outcome when asked to: one activity per renewal. */
    async renewCredentials(input: RenewInput): Promise<FactsResult> {
      const result = await renew(input);
      if (input.record) await recordOutcome(context, input.accountId, input.record, renewalEvent(result, input.record.now, input.record.jitter));
      return result;
    },

    /** A health check that renews nothing; records the status projection of the outcome when asked to. */
    async validateCredentials(input: string | ValidateInput): Promise<OperationResult<{ dataAccessSec?: number }>> {
      const { accountId, record } = typeof input === 'string' ? { accountId: input, record: undefined } : input;
      const result = await validate(accountId);
      if (record) await recordOutcome(context, accountId, record, validationEvent(result, record.now, record.jitter));
      return result;
    },

    /** Best effort at the platform; the disconnect itself always completes. */
    async revokeCredentials(accountId: string): Promise<RevokeResult> {
      const { account, adapter, stored } = await loadFor(accountId);
      const name = adapter?.displayName ?? account.platform;
      let result: RevokeResult;
      if (!stored) {
        result = { revokedAtPlatform: false, message: 'No stored credentials to revoke (already removed)' };
      } else if (!adapter) {
        result = { revokedAtPlatform: false, message: `${name} is not configured here, so access could not be revoked there; remove Tether in your ${name} settings` };
      } else if (FACEBOOK_LOGIN_PLATFORMS.includes(account.platform) && (await countOtherAccountsOnFacebookLogin(models, account)) > 0) {
        result = {
          revokedAtPlatform: false,
          message: `Access was not revoked at ${name}: other connected accounts use the same Facebook login, and revoking it would disconnect them too`,
        };
      } else {
        const outcome = await adapter.revoke(accountRefOf(account), stored.credentials);
        if (outcome.kind === 'ok') {
          result = outcome.value.revokedAtPlatform
            ? { revokedAtPlatform: true, message: `Access revoked at ${name}` }
            : { revokedAtPlatform: false, message: `${name} has no way for apps to revoke access; remove Tether in your ${name} settings if you wish` };
        } else if (outcome.kind === 'reauthRequired') {
          result = { revokedAtPlatform: false, message: `${name} no longer accepted the credentials, so there was nothing left to revoke` };
        } else {
          result = { revokedAtPlatform: false, message: `Could not revoke access at ${name} (${outcome.message}); remove Tether in your ${name} settings to be sure` };
        }
      }
      await forgetAccount(models, store, account, clock());
      activityLog().info('account disconnected', { accountId, revokedAtPlatform: result.revokedAtPlatform });
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
