import type { Request, RequestHandler } from 'express';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { AccountPremium } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { PlatformAdapter, PlatformId, PremiumStatus } from '../../platforms/types.js';
import { accountWorkflowId, checkPremiumUpdate } from '../../workflows/account/messages.js';
import { workflowRefusal, type AccountWorkflowTarget } from '../accounts/workflow-client.js';
import { flash } from '../respond.js';
import { accountsOfPenName } from './page-model.js';
import { displayHandle } from '../../platforms/handle.js';

// "Refresh Twitter Premium Status" on the Connections page: asks each X account's workflow to read
// its subscription from X, a few at a time, and shows one line per account. The workflow's activity
// stores the answer on the Account (`premium`), so post length rules need no platform call later.

declare module 'express-session' {
  interface SessionData {
    /** The last check's lines, shown once by the Connections page of the same pen name. */
    premiumCheck?: { penNameId: string; lines: PremiumCheckLine[] };
  }
}

export interface PremiumCheckLine {
  accountId: string;
  handle: string;
  ok: boolean;
  /** "@handle: Premium — posts up to 25,000 characters", or why it was not checked. */
  text: string;
}

export interface PremiumCheckDeps {
  models: Models;
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  workflows: AccountWorkflowTarget;
}

export interface PremiumCheckOptions {
  /** Updates in flight at once. */
  concurrency?: number;
  /** How long one account's workflow may take to answer. */
  timeoutMs?: number;
}

const DEFAULTS = { concurrency: 4, timeoutMs: 20_000 } as const;

const TIER_LABELS: Record<PremiumStatus['subscriptionType'], string> = { None: 'None', Basic: 'Basic', Premium: 'Premium', PremiumPlus: 'Premium+' };

/** The tag an X pill shows for a stored subscription that allows long posts; none for "None". */
export function premiumTagOf(premium: AccountPremium | undefined): string | undefined {
  return premium && premium.subscriptionType !== 'None' ? TIER_LABELS[premium.subscriptionType] : undefined;
}

/** "Premium — posts up to 25,000 characters" (the length from the X adapter's rules, when X is configured). */
export function describePremium(premium: PremiumStatus, x: PlatformAdapter | undefined): string {
  const maxLength = x?.postRules({ premium }).maxLength;
  return maxLength === undefined ? TIER_LABELS[premium.subscriptionType] : `${TIER_LABELS[premium.subscriptionType]} — posts up to ${maxLength.toLocaleString('en-US')} characters`;
}

/** Why one account's check did not happen, in words for the page; undefined for errors nobody expects. */
function failureMessage(error: unknown, timeoutMs: number): string | undefined {
  const refusal = workflowRefusal(error);
  if (refusal !== undefined) return refusal;
  // Nothing here cancels the call, so a cancelled call is the deadline too: when the server reaches
  // it first it resets the stream, and the client reports CANCELLED rather than DEADLINE_EXCEEDED.
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return `its lifecycle did not answer within ${Math.round(timeoutMs / 1000)} s; try again in a minute.`;
  return undefined;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index] as T) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}


/**
 * Checks every connected X account of the pen name through its workflow. Expected failures become
 * that account's line; an unexpected error is rethrown once every account has had its turn.
 */
export async function checkPremiumForPenName(deps: PremiumCheckDeps, input: { ownerId: string; penNameId: string }, options: PremiumCheckOptions = {}): Promise<PremiumCheckLine[]> {
  const { concurrency, timeoutMs } = { ...DEFAULTS, ...options };
  const accounts = await accountsOfPenName(deps.models, input, { platform: 'x' });
  const client = deps.workflows.client;
  const settled = await mapBounded(accounts, concurrency, async (account): Promise<PremiumCheckLine> => {
    const handle = account.handle.replace(/^@/, '');
    const line = (ok: boolean, text: string) => ({ accountId: account._id, handle, ok, text: `${displayHandle(handle)}: ${text}` });
    try {
      const result = await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(accountWorkflowId(account._id)).executeUpdate(checkPremiumUpdate));
      return result.ok ? line(true, describePremium(result.premium, deps.adapters.x)) : line(false, `not checked — ${result.reason.message}`);
    } catch (error) {
      const message = failureMessage(error, timeoutMs);
      if (message === undefined) throw error;
      return line(false, `not checked — ${message}`);
    }
  });
  const unexpected = settled.find((result) => result.status === 'rejected');
  if (unexpected) throw unexpected.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<PremiumCheckLine>).value);
}

/** POST /connections/premium: check, keep the lines for the next page view, back to the section. */
export function premiumCheckRoute(deps: PremiumCheckDeps, options: PremiumCheckOptions = {}): RequestHandler {
  return async (req, res) => {
    const penName = req.penName!;
    const lines = await checkPremiumForPenName(deps, { ownerId: req.user!.id, penNameId: penName.id }, options);
    if (lines.length === 0) {
      flash(req, 'info', `No X account is connected to ${penName.name}, so there is no Premium status to refresh.`);
      res.redirect(303, '/connections');
      return;
    }
    req.session.premiumCheck = { penNameId: penName.id, lines };
    res.redirect(303, '/connections#token-management');
  };
}

/** The last check's lines for this page view (once), if they were for the pen name shown. */
export function takePremiumCheck(req: Request): PremiumCheckLine[] | undefined {
  const check = req.session.premiumCheck;
  if (!check) return undefined;
  delete req.session.premiumCheck;
  return check.penNameId === req.penName?.id ? check.lines : undefined;
}
