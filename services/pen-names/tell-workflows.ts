import { Semaphore } from 'async-mutex';
import type { Account } from '../../db/models/account.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// Tells each account's workflow the pen name it now belongs to, a few at a time, so Temporal UI
// (the `TetherPenName` search attribute and the account's title) follows a rename or a move.

/** Signals at once, at most: a pen name may hold many accounts, and the web request waits. */
const AT_ONCE = 8;

export interface PenNameTold {
  told: number;
  /** Accounts whose workflow could not be told, by name (`@alice on X`), with why. */
  failed: { account: string; why: string }[];
}

export async function tellWorkflowsOfPenName(
  workflows: AccountWorkflowTarget,
  accounts: Pick<Account, '_id' | 'handle' | 'platform'>[],
  change: { penNameId: string; penName: string },
): Promise<PenNameTold> {
  const client = new AccountWorkflowClient(workflows);
  const limit = new Semaphore(AT_ONCE);
  const result: PenNameTold = { told: 0, failed: [] };
  await Promise.all(
    accounts.map((account) =>
      limit.runExclusive(async () => {
        const name = `${displayHandle(account.handle)} on ${PLATFORM_NAMES[account.platform]}`;
        try {
          const answer = await client.penNameChanged(account._id, change);
          if (answer.ok) result.told++;
          else result.failed.push({ account: name, why: answer.refusal.kind === 'notRunning' ? 'its workflow is not running' : 'Temporal did not answer' });
        } catch (error) {
          result.failed.push({ account: name, why: error instanceof Error ? error.message : String(error) });
        }
      }),
    ),
  );
  return result;
}

/** What the user is told after a rename or a move: how many workflows show the new name, which could not be told, and how to try again. */
export function phraseTold(told: PenNameTold, retry: string): string {
  const total = told.told + told.failed.length;
  if (total === 0) return '';
  if (told.failed.length === 0) return ` Temporal shows the new name on ${total === 1 ? "the account's workflow" : `all ${total} accounts' workflows`}.`;
  const list = told.failed.map(({ account, why }) => `${account} (${why})`).join(', ');
  return ` Temporal shows the new name on ${told.told} of ${total} accounts' workflows; not yet on ${list}. ${retry}`;
}
