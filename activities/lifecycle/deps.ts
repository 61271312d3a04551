import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Config } from '../../config/index.js';
import { findAccount, type StatusObserver } from '../../db/accounts.js';
import { createCredentialStore, type CredentialStore } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { penNameName } from '../../db/pen-names.js';
import type { Failure, PlatformAdapter, PlatformId } from '../../platforms/types.js';
import { NO_ACTIVITY_METRICS, type ActivityMetrics } from '../../services/metrics/registry.js';
import type { Mailer } from '../notify/email.js';
import { UNPACED, type TokenRequestPacer } from './pacing.js';

// What the lifecycle activities need, and the small lookups they share.

export interface LifecycleDeps {
  models: Models;
  /** From `createAdapters`; a platform without a configured client is absent. */
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  config: Pick<Config, 'web' | 'tokenEncryptionKey' | 'email' | 'webhook'>;
  /** Undefined when SMTP_URL is unset (email disabled). */
  mailer?: Mailer;
  workerIdentity: string;
  /** Epoch ms; tests pin it. */
  now?: () => number;
  /** Renewal, health check, publish and delivery outcomes for /metrics; recorded nowhere by default. */
  metrics?: ActivityMetrics;
  /** Told of each status change before it is written (the account timeline, activities/events/). */
  statusObserver?: StatusObserver;
  /** Spaces this process's token requests per platform (`createTokenRequestPacer`); unpaced by default. */
  paceTokenRequests?: TokenRequestPacer;
}

export interface LifecycleContext extends LifecycleDeps {
  store: CredentialStore;
  clock: () => Date;
  metrics: ActivityMetrics;
  paceTokenRequests: TokenRequestPacer;
}

export function lifecycleContext(deps: LifecycleDeps): LifecycleContext {
  const now = deps.now ?? Date.now;
  return {
    ...deps,
    store: createCredentialStore(deps.models, deps.config.tokenEncryptionKey),
    clock: () => new Date(now()),
    metrics: deps.metrics ?? NO_ACTIVITY_METRICS,
    paceTokenRequests: deps.paceTokenRequests ?? UNPACED,
  };
}

/** The account, or a non-retryable failure: no retry makes an unknown account appear. */
export async function requireAccount(models: Models, accountId: string): Promise<Account> {
  return (await findAccount(models, accountId)) ?? accountNotFound(accountId);
}

/** The account, its platform's adapter (absent when not configured) and its stored credentials, read together. */
export async function loadAccountCredentials(context: Pick<LifecycleContext, 'models' | 'adapters' | 'store'>, accountId: string) {
  const [account, stored] = await Promise.all([requireAccount(context.models, accountId), context.store.loadCredentials(accountId)]);
  return { account, adapter: context.adapters[account.platform], stored };
}

export function accountNotFound(accountId: string): never {
  throw ApplicationFailure.nonRetryable(`No account with id ${accountId} exists`, 'AccountNotFound');
}

/** The name of the account's pen name, or a placeholder once that pen name is deleted. */
export async function penNameOf(models: Models, account: Pick<Account, 'penNameId'>): Promise<string> {
  return (await penNameName(models, account.penNameId)) ?? '(removed pen name)';
}

export function missingCredentials(account: Account): Failure {
  return {
    kind: 'reauthRequired',
    code: 'credentials_missing',
    message: `Tether holds no credentials for this ${account.platform} account — reconnect it`,
  };
}

export function notConfigured(platform: PlatformId): Failure {
  return { kind: 'invalid', message: `${platform} is not configured on this Tether (no client id and secret)` };
}

/**
 * Whether the account this attempt read at `readAt` may stand in for a fresh read before a status
 * write (writeStatus's `read`): while the attempt is well inside its timeouts, the workflow waits
 * for it and writes no other status. Past half of any of them a retry may already have written a
 * newer one, so writeStatus reads again and its sequence check refuses this attempt's stale write.
 */
export function readStillCurrent(readAt: number, now = Date.now()): boolean {
  const { startToCloseTimeoutMs, heartbeatTimeoutMs, scheduleToCloseTimeoutMs, scheduledTimestampMs } = Context.current().info;
  const limits = [startToCloseTimeoutMs, heartbeatTimeoutMs, scheduleToCloseTimeoutMs ? scheduledTimestampMs + scheduleToCloseTimeoutMs - readAt : undefined];
  const shortest = Math.min(...limits.filter((ms): ms is number => ms !== undefined && ms !== 0));
  return now - readAt < shortest / 2;
}

export function activityLog() {
  return Context.current().log;
}
