import type { AccountSummary } from '../../activities/lifecycle/contract.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';

/**
 * The one line operators know an account by in Temporal UI: `@handle on X — pen name`. The first
 * run's static summary; every run also shows it atop its current details, since continue-as-new
 * does not carry a static summary and nothing can change one.
 */
export function accountTitle(account: Pick<AccountSummary, 'handle' | 'platform' | 'penName'>): string {
  return `${displayHandle(account.handle)} on ${PLATFORM_NAMES[account.platform]} — ${account.penName}`;
}
