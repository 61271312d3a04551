import { accountsOfPenName } from '../../db/accounts.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import type { PremiumResult } from '../../workflows/account/messages.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import type { Answer } from '../account-workflows/refusal.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// Asks each connected X account's workflow of a pen name to read its subscription from X, a few at
// a time. The workflow's activity stores the answer on the Account (`premium`), so post length
// rules need no platform call later.

export interface PremiumCheckOptions {
  /** Updates in flight at once. */
  concurrency?: number;
  /** How long one account's workflow may take to answer. */
  timeoutMs?: number;
}

const DEFAULTS = { concurrency: 4, timeoutMs: 20_000 } as const;

export interface PremiumCheck {
  account: Pick<Account, '_id' | 'handle'>;
  answer: Answer<PremiumResult>;
}

/** One answer per X account, in the order they were connected; an unexpected error is rethrown once every account has had its turn. */
export async function checkPremiumOfPenName(
  deps: { models: Models; workflows: AccountWorkflowTarget },
  scope: PenNameScope,
  options: PremiumCheckOptions = {},
): Promise<PremiumCheck[]> {
  const { concurrency, timeoutMs } = { ...DEFAULTS, ...options };
  const accounts = await accountsOfPenName(deps.models, scope, { platform: 'x' });
  const client = new AccountWorkflowClient(deps.workflows);
  const settled = await mapBounded(accounts, concurrency, async (account) => ({ account, answer: await client.checkPremium(account._id, timeoutMs) }));
  const unexpected = settled.find((result) => result.status === 'rejected');
  if (unexpected) throw unexpected.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<PremiumCheck>).value);
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index] as T) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
