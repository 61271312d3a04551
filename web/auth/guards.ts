import type { RequestHandler } from 'express';

/** Pages behind login: visitors are sent to /login and brought back afterwards. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) {
    next();
    return;
  }
  const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(303, `/login${back}`);
};
