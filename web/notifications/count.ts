import type { Request, RequestHandler } from 'express';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { countUnread } from '../../db/notifications.js';

// The header's unread count for the pen name being worked in: one count per page view.
// Runs after penNameContext, which sets `req.penName`.

/**
 * Whose header counts a request shows: a page view (a GET asking for HTML) of a signed-in user
 * working in a pen name. Anything else (form posts that redirect, JSON answers) counts nothing.
 * Shared by every header count, so they agree on when to query.
 */
export function pageViewScope(req: Request): PenNameScope | undefined {
  if (req.method !== 'GET' || !req.user || !req.penName || !req.accepts('html')) return undefined;
  return { ownerId: req.user.id, penNameId: req.penName.id };
}

export function notificationCountLocals(models: Models): RequestHandler {
  return async (req, res, next) => {
    const scope = pageViewScope(req);
    res.locals.notificationCount = scope ? await countUnread(models, scope) : 0;
    next();
  };
}
