import { moveAccountToPenName } from '../../db/accounts.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { findPenName } from '../../db/pen-names.js';
import { postsWaitingOn } from '../../db/posts.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';
import { phraseTold, tellWorkflowsOfPenName } from '../pen-names/tell-workflows.js';

// Moving a connected account to another pen name of the same user. Its scheduled posts belong to
// the pen name they were written in, so an account with posts waiting stays until they are out.

export type MoveOutcome = { ok: true; message: string } | { ok: false; status: 400 | 404 | 409; message: string };

export async function moveAccount(deps: { models: Models; workflows: AccountWorkflowTarget }, account: Account, penNameId: string): Promise<MoveOutcome> {
  const { models } = deps;
  const who = `${displayHandle(account.handle)} on ${PLATFORM_NAMES[account.platform]}`;
  const target = await findPenName(models, account.ownerId, penNameId);
  if (!target) return { ok: false, status: 404, message: 'There is no such pen name.' };
  if (target._id === account.penNameId) return { ok: false, status: 400, message: `${who} is already in ${target.name}.` };
  const waiting = await postsWaitingOn(models, account._id, 1);
  if (waiting.length > 0) return { ok: false, status: 409, message: `${who} has scheduled posts: publish or cancel them first, then move it.` };
  const moved = await moveAccountToPenName(models, account, target._id);
  if (!moved.ok) return { ok: false, status: 409, message: `${who} is already connected in ${target.name}.` };
  const told = await tellWorkflowsOfPenName(deps.workflows, [account], { penNameId: target._id, penName: target.name });
  return { ok: true, message: `Moved ${who} to ${target.name}. Switch to that pen name to see it.${phraseTold(told, 'Renaming that pen name tells it again.')}` };
}
