import type { RequestHandler } from 'express';
import { countAccountsInStates } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { pageViewScope } from '../notifications/count.js';

// For the global in-app banner: how many accounts of the current pen name need the user (token
// expired, or expiring with no renewal possible). One count per page, from the status projection.

export const NEEDS_ACTION_STATES = ['expired', 'expiring'] as const;

export function accountsNeedingActionCount(models: Models, scope: PenNameScope): Promise<number> {
  return countAccountsInStates(models, scope, NEEDS_ACTION_STATES);
}

/** Sets `res.locals.accountsNeedingAction` for the layout's banner (`connections/attention-banner`). Mount after `penNameContext`. */
export function accountsNeedingActionLocals(models: Models): RequestHandler {
  return async (req, res, next) => {
    // Only page views show the banner, and the Connections page lists those accounts itself.
    const scope = req.path.startsWith('/connections') ? undefined : pageViewScope(req);
    res.locals.accountsNeedingAction = scope ? await accountsNeedingActionCount(models, scope) : 0;
    next();
  };
}
