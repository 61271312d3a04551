import { accountsOfPenName } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import { renamePenName } from '../../db/pen-names.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';
import { phraseTold, tellWorkflowsOfPenName } from './tell-workflows.js';

// Renaming a pen name: the name in MongoDB first (what pages show), then each of its connected
// accounts' workflows, so operators find the accounts under the new name in Temporal UI.

export type PenNameRename = { ok: true; message: string; failed: number } | { ok: false; problem: 'taken' | 'not-found' };

export async function renamePenNameEverywhere(
  deps: { models: Models; workflows: AccountWorkflowTarget },
  ownerId: string,
  penNameId: string,
  name: string,
): Promise<PenNameRename> {
  const renamed = await renamePenName(deps.models, ownerId, penNameId, name);
  if (!renamed.ok) return renamed;
  const accounts = await accountsOfPenName(deps.models, { ownerId, penNameId });
  const told = await tellWorkflowsOfPenName(deps.workflows, accounts, { penNameId, penName: renamed.penName.name });
  return { ok: true, message: `Renamed to "${renamed.penName.name}".${phraseTold(told, 'Rename it again (to the same name) to retry.')}`, failed: told.failed.length };
}
