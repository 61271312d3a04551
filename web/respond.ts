import type { Request, Response } from 'express';
import type { z } from 'zod';

// How every page answers: a view rendered inside the layout, 400 with a message per field, 404.

export type FieldErrors = Record<string, string>;

function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.app.render(view, locals, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html ?? '')));
  });
}

export async function renderPage(res: Response, view: string, locals: Record<string, unknown> = {}, status = 200): Promise<void> {
  // A flash message is shown by the first page rendered, not consumed by redirects on the way.
  const flashMessage = res.req.session?.flash;
  if (flashMessage) delete res.req.session.flash;
  const merged = { errors: {}, values: {}, ...res.locals, flash: flashMessage, ...locals };
  const body = await renderView(res, view, merged);
  const html = await renderView(res, 'layout', { ...merged, body });
  res.status(status).type('html').send(html);
}

/**
 * One message per field, each starting with the field's label so it reads on its own
 * ("Email: enter an address like name@example.com").
 */
export function fieldErrors(error: z.ZodError, labels: Record<string, string> = {}): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    const label = labels[field] ?? field;
    errors[field] ??= `${label}: ${issue.message}`;
  }
  return errors;
}

/** 400: the same form again, with what was typed (never passwords) and a message per bad field. */
export function renderInvalid(
  res: Response,
  view: string,
  input: { errors: FieldErrors; values?: Record<string, unknown>; locals?: Record<string, unknown>; status?: number },
): Promise<void> {
  return renderPage(res, view, { ...input.locals, errors: input.errors, values: input.values ?? {} }, input.status ?? 400);
}

export function renderNotFound(res: Response, what = 'page'): Promise<void> {
  return renderPage(res, 'error', { title: 'Not found', heading: 'Not found', message: `There is no such ${what}.` }, 404);
}

/** Sets a one-time message for the next page the user sees. */
export function flash(req: Request, kind: 'info' | 'error', text: string): void {
  req.session.flash = { kind, text };
}

/** A path inside Tether, safe to redirect to after a form (`/x`, never `//host` or `/\host`). */
export function safeLocalPath(candidate: unknown, fallback: string): string {
  if (typeof candidate !== 'string' || candidate.length > 2000) return fallback;
  return /^\/(?![/\\])[^\s]*$/.test(candidate) ? candidate : fallback;
}
