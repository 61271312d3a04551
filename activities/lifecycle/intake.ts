import { accountRefOf } from '../../db/accounts.js';
import type { StoredCredentials } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { PlatformAdapter } from '../../platforms/types.js';
import { projectionAfterConnect } from '../../workflows/lifecycle/projection.js';
import type { ConnectInput, ConnectResult, CredentialFacts, OperationResult } from './contract.js';
import { activityLog, loadAccountCredentials, missingCredentials, notConfigured, type LifecycleContext } from './deps.js';
import { credentialFacts } from './facts.js';
import { summaryOf, writeStatusProjection } from './status.js';

// Taking the credentials the connect flow stored: read them (and, after a user connect, check them
// with the platform) and, in the one-activity connect, record the status they lead to.

type FactsResult = OperationResult<{ facts: CredentialFacts }>;

export function intakeActivities(context: LifecycleContext) {
  const { models, store, clock } = context;

  /** The stored credentials' facts; with `verify`, only a definite refusal by the platform fails them. */
  async function inspect(account: Account, adapter: PlatformAdapter | undefined, stored: StoredCredentials | undefined, verify: boolean): Promise<FactsResult> {
    if (!adapter) return { outcome: 'failed', failure: notConfigured(account.platform) };
    if (!stored) return { outcome: 'failed', failure: missingCredentials(account) };
    if (verify) {
      const check = await adapter.validate(accountRefOf(account), stored.credentials);
      if (check.kind === 'reauthRequired' || check.kind === 'invalid') return { outcome: 'failed', failure: check };
      if (check.kind === 'ok' && check.value.dataAccessLifetimeSec !== undefined) {
        const dataAccessExpiresAt = new Date(clock().getTime() + check.value.dataAccessLifetimeSec * 1000);
        await store.recordDataAccessExpiry(account._id, dataAccessExpiresAt);
        const recorded = { ...stored, credentials: { ...stored.credentials, dataAccessExpiresAt: dataAccessExpiresAt.toISOString() } };
        return { outcome: 'ok', facts: credentialFacts(adapter, recorded, clock()) };
      }
      if (check.kind !== 'ok') {
        // The tokens were just issued; a platform hiccup does not make them doubtful.
        activityLog().warn('could not verify new credentials with the platform', { accountId: account._id, outcome: check.kind });
      }
    }
    return { outcome: 'ok', facts: credentialFacts(adapter, stored, clock()) };
  }

  return {
    async inspectCredentials(input: { accountId: string; verifyWithPlatform: boolean }): Promise<FactsResult> {
      const { account, adapter, stored } = await loadAccountCredentials(context, input.accountId);
      return inspect(account, adapter, stored, input.verifyWithPlatform);
    },

    /**
     * A connect or reconnect in one activity: describe the account when asked, take its credentials,
     * and write the status projection the workflow records after them (reusing the account read
     * for the sequence check). Credentials the platform refused are answered as stored, unrecorded:
     * the workflow starts with them and expires them at once, recording that itself.
     */
    async connectCredentials(input: ConnectInput): Promise<ConnectResult> {
      const { account, adapter, stored } = await loadAccountCredentials(context, input.accountId);
      const readAt = Date.now();
      const described = input.describe ? { account: await summaryOf(models, account) } : {};
      const result = await inspect(account, adapter, stored, input.verifyWithPlatform);
      if (result.outcome === 'failed') {
        const unverified = adapter && stored ? { unverified: credentialFacts(adapter, stored, clock()) } : {};
        return { ...result, ...unverified, ...described };
      }
      const projection = projectionAfterConnect(input.record, account.platform, result.facts);
      if (projection) await writeStatusProjection(context, { ...projection, accountId: account._id, sequence: input.record.sequence }, { account, at: readAt });
      return { ...result, ...described };
    },
  };
}
