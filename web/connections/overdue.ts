import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Account } from '../../db/models/account.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { AccountWorkflowClient } from '../../services/account-workflows/client.js';
import { refusalText } from '../../services/account-workflows/refusal.js';
import { overduePostsOf } from '../../services/accounts/overdue-posts.js';
import type { OverdueDecision } from '../../workflows/account/messages.js';
import type { AccountPagesDeps } from '../deps.js';
import { formatIn, futureInstantOf, isTimeZone, preferredZone, suggestedTime, timeZonesWith } from '../posts/time.js';
import { fieldErrors, flash, renderPage, type FieldErrors } from '../respond.js';

// After a reconnect, the posts that fell due while the account was expired wait a few minutes for
// the user: publish them now in their original order, move them to a new time, or skip them.
// Without a choice they go out in order when the wait ends.

const LABELS = { choice: 'What to do', publishAt: 'New time', timeZone: 'Time zone' };
const NEW_TIME_WORDING = { missing: 'choose a date and time', past: 'choose a time in the future' };

const decisionBody = z.object({
  choice: z.enum(['publishNow', 'reschedule', 'skip'], { message: 'choose publish now, reschedule or skip' }),
  publishAt: z.string().max(25).optional(),
  timeZone: z.string().max(64).refine(isTimeZone, { message: 'is not a known time zone' }).default('UTC'),
});

export async function renderOverdue(deps: AccountPagesDeps, req: Request, res: Response, account: Account, extra: { errors?: FieldErrors; values?: Record<string, string>; status?: number } = {}) {
  const { decideBy, posts } = await overduePostsOf(deps, account);
  const zone = preferredZone(req.user!.timeZone);
  await renderPage(
    res,
    'connections/overdue',
    {
      title: 'Overdue posts',
      account: { id: account._id, handle: account.handle },
      platformName: PLATFORM_NAMES[account.platform],
      decideBy: decideBy ? formatIn(decideBy, zone) : undefined,
      posts: posts.map((post) => ({ id: post._id, text: post.text, due: formatIn(post.publishAt, post.timeZone) })),
      timeZones: timeZonesWith(zone),
      errors: extra.errors ?? {},
      values: { choice: 'publishNow', timeZone: zone, publishAt: suggestedTime(new Date(), zone), ...extra.values },
    },
    extra.status ?? 200,
  );
}

export async function decideOverdue(deps: AccountPagesDeps, req: Request, res: Response, account: Account): Promise<void> {
  const raw = (req.body ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
  const parsed = decisionBody.safeParse(raw);
  if (!parsed.success) return renderOverdue(deps, req, res, account, { errors: fieldErrors(parsed.error, LABELS), values, status: 400 });
  let decision: OverdueDecision = { choice: parsed.data.choice } as OverdueDecision;
  if (parsed.data.choice === 'reschedule') {
    const at = futureInstantOf(parsed.data.publishAt, parsed.data.timeZone, new Date(), NEW_TIME_WORDING);
    if (!at.ok) return renderOverdue(deps, req, res, account, { errors: { publishAt: `${LABELS.publishAt}: ${at.message}` }, values, status: 400 });
    decision = { choice: 'reschedule', at: at.at.toISOString() };
  }
  const answer = await new AccountWorkflowClient(deps.workflows).resolveOverdue(account._id, decision);
  if (answer.ok) {
    const { postIds } = answer.value;
    const count = `${postIds.length} post${postIds.length === 1 ? '' : 's'}`;
    const done = { publishNow: `${count} will go out now, in their original order.`, skip: `${count} skipped.`, reschedule: `${count} moved to the new time.` };
    flash(req, 'info', done[parsed.data.choice]);
  } else {
    flash(req, 'error', `Nothing changed: ${refusalText(answer.refusal)}`);
  }
  res.redirect(303, '/posts');
}
