import type { RequestHandler } from 'express';
import { accountsInStates, countAccountsInStates } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { pageViewScope } from '../notifications/count.js';
import { readerOf } from '../reader.js';
import { pillFor } from './page-model.js';

// For the global in-app banner: how many accounts of the current pen name need the user (token
// expired, or expiring with no renewal possible), each named with its specific reason (the first
// few). One query per page, from the status projection.

/** Accounts the banner names; the count covers the rest. */
const NAMED = 3;

export const NEEDS_ACTION_STATES = ['expired', 'expiring'] as const;

export function accountsNeedingActionCount(models: Models, scope: PenNameScope): Promise<number> {
  return countAccountsInStates(models, scope, NEEDS_ACTION_STATES);
}

/** Sets `res.locals.accountsNeedingAction` for the layout's banner (`connections/attention-banner`). Mount after `penNameContext`. */
export function accountsNeedingActionLocals(models: Models): RequestHandler {
  return async (req, res, next) => {
    // Only page views show the banner, and the Connections page lists those accounts itself.
    const scope = req.path.startsWith('/connections') ? undefined : pageViewScope(req);
    const accounts = scope ? await accountsInStates(models, scope, NEEDS_ACTION_STATES) : [];
    res.locals.accountsNeedingAction = accounts.length;
    res.locals.accountsNeedingActionNamed = accounts.slice(0, NAMED).map((account) => {
      const pill = pillFor(account, readerOf(req));
      return { id: pill.id, handle: `@${pill.handle}`, label: pill.label, ...(pill.detail ? { detail: pill.detail } : {}) };
    });
    next();
  };
}
