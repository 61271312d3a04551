import type { Request, RequestHandler } from 'express';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { ensurePenNames } from '../../db/pen-names.js';

// The pen name a logged-in user is working in, for every page: `req.penName` for routes, and
// `penNames` / `currentPenName` for the layout's header.

export interface CurrentPenName {
  id: string;
  name: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set on every request of a logged-in user. */
      penName?: CurrentPenName;
    }
  }
}

export function penNameContext(models: Models): RequestHandler {
  return async (req, res, next) => {
    if (!req.user) {
      next();
      return;
    }
    const penNames = await ensurePenNames(models, req.user);
    const current = penNames.find((p) => p._id === req.session.penNameId) ?? penNames[0];
    if (!current) throw new Error('the user has no pen name');
    if (req.session.penNameId !== current._id) req.session.penNameId = current._id;
    req.penName = { id: current._id, name: current.name };
    res.locals.penNames = penNames.map((p) => ({ id: p._id, name: p.name }));
    res.locals.currentPenName = req.penName;
    next();
  };
}

/** The scope of a request behind `requireUser` (which `penNameContext` has run for). */
export function scopeOf(req: Request): PenNameScope {
  return { ownerId: req.user!.id, penNameId: req.penName!.id };
}
