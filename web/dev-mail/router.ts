import { Router } from 'express';
import { listCaughtMail } from '../../services/caught-mail.js';
import { renderPage } from '../respond.js';

// Development only (mounted when `npm start` catches mail): the email Tether sent, newest first, so a
// newcomer can follow confirmation and reset links without an SMTP server. It needs no login: a
// password reset link is exactly what someone logged out needs. Never mounted in production.

/** A message's text as pieces, links to this dashboard made clickable (everything else stays text). */
export function textWithLinks(text: string, publicUrl: string): { text: string; href?: string }[] {
  return text.split(/(https?:\/\/\S+)/).filter(Boolean).map((piece) => (piece.startsWith(`${publicUrl}/`) ? { text: piece, href: piece } : { text: piece }));
}

export function devMailRouter(deps: { dir: string; publicUrl: string }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const messages = listCaughtMail(deps.dir).map((mail) => ({ ...mail, pieces: textWithLinks(mail.text, deps.publicUrl) }));
    await renderPage(res, 'dev-mail/index', { title: 'Caught email', messages, dir: deps.dir });
  });
  return router;
}
