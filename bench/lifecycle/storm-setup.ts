import { completeConnection } from '../../services/accounts/complete-connection.js';
import { consent } from '../shared/consent.js';
import { PLATFORM } from '../shared/owner.js';
import { runPool } from '../shared/pool.js';
import type { LifecycleContext } from './context.js';
import { createIdentities } from './setup.js';

// The storm's unmeasured setup: N new accounts connected so that their first health checks all fall
// due at one common moment. A workflow takes its check cadence from its start input, so each
// account is started with the cadence left until that moment (an X check is a renewal: X cannot
// inspect a token); the check's ≤ 10 % jitter spreads the due times a little, as in production.

export interface StormAccount {
  accountId: string;
  /** When its first check falls due (the projection's next check after the connect). */
  dueAt: number;
  /** The projection's last check after the connect: a later one means the storm's check is done. */
  checkedAt: number;
  /** Its check cadence: the next check after this one falls due that long after it (the deadline). */
  cadenceMs: number;
}

export interface StormSetup {
  accounts: StormAccount[];
  failures: number;
  firstError?: string;
  waveStarted: number;
  waveEnded: number;
}

/**
 * @param dueAt the common moment the checks should fall due (epoch ms)
 * @param minCadenceMs no account gets a shorter cadence (so no second check falls inside the storm),
 *   even when the wave runs past its estimate and later accounts fall due a little later
 */
export async function connectStormAccounts(context: LifecycleContext, count: number, dueAt: number, minCadenceMs: number): Promise<StormSetup> {
  const { options, sandbox, models, store, client, accountTaskQueue, owner, adapter, config, progress } = context;
  const identityIds = await createIdentities(sandbox.control, count, options.setupConcurrency, progress, 'storm');
  const waveStarted = Date.now();
  const cadences = new Map<string, number>();
  const wave = await runPool(
    identityIds,
    options.concurrency,
    async (identityId) => {
      const { identity, tokens } = await consent(adapter, config, identityId);
      const cadenceMs = Math.max(minCadenceMs, dueAt - Date.now());
      const completed = await completeConnection(
        { models, store, workflows: { client, taskQueue: accountTaskQueue, healthCheckMs: cadenceMs } },
        { ...owner, platform: PLATFORM, identity, tokens },
      );
      if (!completed.result.accepted) throw new Error(`connect rejected: ${JSON.stringify(completed.result.rejection)}`);
      cadences.set(completed.accountId, cadenceMs);
      return completed.accountId;
    },
    { progress: { label: '  storm connects', report: progress } },
  );
  const waveEnded = Date.now();
  const ids = wave.results.filter((id): id is string => id !== undefined);
  const accounts: StormAccount[] = [];
  for (const doc of await models.Account.find({ _id: { $in: ids } }, { status: 1 }).lean()) {
    const due = doc.status?.nextCheckAt?.getTime();
    const checked = doc.status?.lastCheckedAt?.getTime();
    if (due === undefined || checked === undefined) continue;
    accounts.push({ accountId: doc._id, dueAt: due, checkedAt: checked, cadenceMs: cadences.get(doc._id)! });
  }
  if (accounts.length !== ids.length) throw new Error(`storm setup: only ${accounts.length} of ${ids.length} accounts show a next check`);
  return { accounts, failures: wave.failures, ...(wave.firstError ? { firstError: wave.firstError } : {}), waveStarted, waveEnded };
}
