import type { RequestHandler } from 'express';
import type { Models } from '../../db/models/index.js';

// For the global in-app banner: how many accounts of the current pen name need the user (token
// expired, or expiring with no renewal possible). One count per page, from the status projection.

export const NEEDS_ACTION_STATES = ['expired', 'expiring'] as const;

export function accountsNeedingActionCount(models: Models, input: { ownerId: string; penNameId: string }): Promise<number> {
  return models.Account.countDocuments({
    ownerId: input.ownerId,
    penNameId: input.penNameId,
    disconnectedAt: { $exists: false },
    'status.state': { $in: NEEDS_ACTION_STATES },
  });
}

/** Sets `res.locals.accountsNeedingAction` for the layout's banner (`connections/attention-banner`). Mount after `penNameContext`. */
export function accountsNeedingActionLocals(models: Models): RequestHandler {
  return async (req, res, next) => {
    // Only pages show the banner, and the Connections page lists those accounts itself.
    const showsBanner = req.method === 'GET' && !req.path.startsWith('/connections');
    res.locals.accountsNeedingAction =
      showsBanner && req.user && req.penName ? await accountsNeedingActionCount(models, { ownerId: req.user.id, penNameId: req.penName.id }) : 0;
    next();
  };
}
