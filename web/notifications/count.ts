import type { RequestHandler } from 'express';
import type { Models } from '../../db/models/index.js';
import { countUnread } from './store.js';

// The header's unread count for the pen name being worked in: one count per page view.
// Runs after penNameContext, which sets `req.penName`.

export function notificationCountLocals(models: Models): RequestHandler {
  return async (req, res, next) => {
    res.locals.notificationCount = req.user && req.penName ? await countUnread(models, { ownerId: req.user.id, penNameId: req.penName.id }) : 0;
    next();
  };
}
