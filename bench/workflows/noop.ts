import { condition, setHandler } from '@temporalio/workflow';
import { noopUpdate } from './messages.js';

/**
 * The baseline the account workflow is compared with: no activities, no state, no timers. It
 * accepts the no-op update and then waits forever, as an idle account waits for its next renewal.
 */
export async function noopWorkflow(): Promise<void> {
  setHandler(noopUpdate, () => null);
  await condition(() => false);
}
