import type { Request, RequestHandler } from 'express';
import type { AccountPremium } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { displayHandle } from '../../platforms/handle.js';
import type { PlatformAdapter, PlatformId, PremiumStatus } from '../../platforms/types.js';
import { refusalText } from '../../services/account-workflows/refusal.js';
import type { AccountWorkflowTarget } from '../../services/account-workflows/target.js';
import { checkPremiumOfPenName, type PremiumCheckOptions } from '../../services/accounts/premium-check.js';
import { phraseCallFailure } from '../../services/phrasing/index.js';
import { readerOf, type Reader } from '../reader.js';
import { flash } from '../respond.js';

// "Refresh Twitter Premium Status" on the Connections page: one line per X account of the pen name
// saying its subscription (and what it allows), shown once on the next page view.

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

/**
 * Checks every connected X account of the pen name through its workflow (services/accounts/premium-check.ts)
 * and words one line per account; an account that was not checked says why.
 */
export async function checkPremiumForPenName(deps: PremiumCheckDeps, input: PenNameScope, reader: Reader, options: PremiumCheckOptions = {}): Promise<PremiumCheckLine[]> {
  const checks = await checkPremiumOfPenName(deps, input, options);
  return checks.map(({ account, answer }) => {
    const handle = account.handle.replace(/^@/, '');
    const line = (ok: boolean, text: string) => ({ accountId: account._id, handle, ok, text: `${displayHandle(handle)}: ${text}` });
    if (!answer.ok) return line(false, `not checked — ${refusalText(answer.refusal)}`);
    if (answer.value.ok) return line(true, describePremium(answer.value.premium, deps.adapters.x));
    return line(false, `not checked — ${phraseCallFailure(answer.value.reason, { ...reader, platform: 'x' })}`);
  });
}

/** POST /connections/premium: check, keep the lines for the next page view, back to the section. */
export function premiumCheckRoute(deps: PremiumCheckDeps, options: PremiumCheckOptions = {}): RequestHandler {
  return async (req, res) => {
    const penName = req.penName!;
    const lines = await checkPremiumForPenName(deps, { ownerId: req.user!.id, penNameId: penName.id }, readerOf(req), options);
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
