import type { RevokeResult } from '../../activities/lifecycle/contract.js';
import { PLATFORM_NAMES, type PlatformId } from '../../platforms/types.js';
import type { RefreshNowResult } from '../../workflows/account/messages.js';
import { phraseReason, type PhrasableReason, type PhrasingContext } from './reasons.js';
import { formatDateTime, formatMoment } from './time.js';

// What came of an update, in words: "renew now", revoking on a disconnect, and calls that answer
// once (a test post, a Premium check). Whole sentences, full stops included.

/** A phrase as a sentence: a full stop unless the platform's words already end in one. */
export const sentence = (phrase: string): string => (/[.!?]$/.test(phrase) ? phrase : `${phrase}.`);

/** "Renewed; the token is valid until 21 Jan 2027, 15:05 Europe/Berlin." and whatever still stands after it. */
export function phraseRefreshOutcome({ state, outcome }: RefreshNowResult, context: PhrasingContext): string {
  const validity = ({ validUntil, grant }: { validUntil?: string; grant?: true }) => {
    const what = grant ? 'the connection' : 'the token';
    return validUntil === undefined ? `${what} does not expire` : `${what} is valid until ${formatDateTime(validUntil, context.timeZone)}`;
  };
  let said: string;
  let explained = false;
  switch (outcome.kind) {
    case 'renewed':
      said = `Renewed; ${validity(outcome)}.`;
      break;
    case 'checked':
      said = `${PLATFORM_NAMES[context.platform]} confirmed the token; ${validity(outcome)}.`;
      break;
    case 'nothingToDo':
      explained = outcome.reason !== undefined;
      said = outcome.reason ? sentence(phraseReason(outcome.reason, context)) : `Nothing needed renewing; ${validity(outcome)}.`;
      break;
    case 'failed':
      explained = true;
      said = outcome.reason ? sentence(phraseReason(outcome.reason, context)) : 'The renewal did not complete; try again later.';
      break;
  }
  // A warning no renewal lifts (data access ending, say) still stands: say so too.
  return state.reason && !explained ? `${said} ${sentence(phraseReason(state.reason, context))}` : said;
}

/** What came of revoking Tether's access at the platform on a disconnect. */
export function phraseRevokeOutcome(revoke: RevokeResult, platform: PlatformId): string {
  const name = PLATFORM_NAMES[platform];
  switch (revoke.code) {
    case 'revoked':
      return `Access revoked at ${name}.`;
    case 'noRevokeApi':
      return `${name} has no way for apps to revoke access; remove Tether in your ${name} settings if you wish.`;
    case 'sharedLogin':
      return `Access was not revoked at ${name}: other connected accounts use the same Facebook login, and revoking it would disconnect them too.`;
    case 'alreadyRejected':
      return `${name} no longer accepted the credentials, so there was nothing left to revoke.`;
    case 'failed':
      return `Could not revoke access at ${name} (${revoke.detail}); remove Tether in your ${name} settings to be sure.`;
    case 'notConfigured':
      return `${name} is not configured here, so access could not be revoked there; remove Tether in your ${name} settings.`;
    case 'noCredentials':
      return 'No stored credentials were left to revoke (already removed).';
    default: {
      const unphrased: never = revoke;
      return unphrased;
    }
  }
}

/** Why a call that answers once (a test post, a Premium check) did not do what was asked: nothing retries it. */
export function phraseCallFailure(reason: PhrasableReason, context: PhrasingContext): string {
  if (reason.message || reason.code !== 'rate_limited') return phraseReason(reason, context);
  const name = PLATFORM_NAMES[context.platform];
  return reason.at === undefined
    ? `${name} is rate-limiting; try again later`
    : `${name} is rate-limiting until ${formatMoment(reason.at, context.timeZone, context.now)}; try again then`;
}
