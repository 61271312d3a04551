import { PLATFORM_NAMES, type PlatformId } from '../../platforms/types.js';
import { isReasonCode, type ReasonCode } from '../../workflows/lifecycle/codes.js';
import { formatDateTime, formatMoment, type Instant } from './time.js';

// A reason in words, for the person reading it, with its moments in their time zone. One sentence
// without a final full stop: pages, flashes and notifications put it where they need it.

export interface PhrasingContext {
  /** The account's platform: reasons are about one account. */
  platform: PlatformId;
  /** The reader's IANA time zone. */
  timeZone: string;
  /** When it is read, for texts read at once (pages, flashes): a moment later that day shows as a time alone. */
  now?: number;
}

/** A reason as the workflow answers it or as the status projection stores it (`at` a Date there). */
export interface PhrasableReason {
  code: string;
  at?: Instant;
  count?: number;
  detail?: string;
  cause?: PhrasableReason;
  /** English stored before reasons were structured: shown as it is. */
  message?: string;
}

export function phraseReason(reason: PhrasableReason, context: PhrasingContext): string {
  if (reason.message) return reason.message;
  if (isReasonCode(reason.code)) return phraseCode(reason.code, reason, context);
  return reason.detail ?? `${PLATFORM_NAMES[context.platform]} reported a problem (${reason.code})`;
}

function phraseCode(code: ReasonCode, reason: PhrasableReason, context: PhrasingContext): string {
  const name = PLATFORM_NAMES[context.platform];
  const { at, detail } = reason;
  /** " on 21 Jan 2027, 14:05 UTC" (a date, whenever it is read), or " soon" when the time is unknown. */
  const on = at === undefined ? ' soon' : ` on ${formatDateTime(at, context.timeZone)}`;
  /** " at 14:05 UTC" later today, else " at 21 Jan 2027, 14:05 UTC". */
  const atMoment = at === undefined ? ' soon' : ` at ${formatMoment(at, context.timeZone, context.now)}`;
  const until = at === undefined ? '' : ` until ${formatMoment(at, context.timeZone, context.now)}`;
  const quoted = detail ? ` (${detail})` : '';
  switch (code) {
    // The lifecycle's own reasons.
    case 'token_expiring':
      return `${name} cannot renew this token automatically; it expires${on} — reconnect before then`;
    case 'authorization_ending':
      return `The ${name} authorization can no longer be renewed and ends${on} — reconnect before then`;
    case 'data_access_expiring':
      return `${name} data access for this account ends${on} — reconnect to grant it again`;
    case 'renewal_failing': {
      const times = reason.count === undefined ? 'repeatedly' : `${reason.count} times in a row`;
      const latest = reason.cause ? ` (latest: ${phraseReason(reason.cause, context)})` : '';
      return `Renewing the ${name} token has failed ${times}${latest}; it stops working${on} unless a renewal succeeds — reconnect to be safe`;
    }
    case 'access_expired':
      return `The ${name} access token expired${on} — reconnect to continue`;
    case 'authorization_expired':
      return `The ${name} authorization expired${on} — reconnect to continue`;
    case 'data_access_expired':
      return `${name} data access ended${on} and the token no longer validates${quoted} — reconnect to continue`;
    case 'expired':
      return `The ${name} token has expired — reconnect to continue`;
    case 'rate_limited':
      return `${name} is rate-limiting${until}, retrying`;
    case 'renewal_rejected':
      return `${name} rejected the token renewal${quoted}; retrying${atMoment}`;
    case 'validation_rejected':
      return `${name} rejected the token check${quoted}; retrying${atMoment}`;
    case 'renewal_retrying':
      return `${name} did not complete the token renewal${quoted}; retrying${atMoment}`;
    case 'validation_retrying':
      return `${name} did not complete the token check${quoted}; retrying${atMoment}`;
    case 'renewal_unavailable':
      return at === undefined
        ? `${name} cannot renew this token; it does not expire, so nothing needs doing`
        : `${name} cannot renew this token; reconnect before ${formatDateTime(at, context.timeZone)}`;
    case 'renewal_too_early':
      return `${name} renews a token only once it is old enough; renewal is possible from ${at === undefined ? 'later' : formatMoment(at, context.timeZone, context.now)}`;

    // One call's or one message's reasons: the platform's words when it gave any.
    case 'credentials_invalid':
      return detail ?? `${name} did not accept the credentials`;
    case 'credentials_missing':
      return `Tether holds no credentials for this ${name} account — reconnect it`;
    case 'reauth_required':
      return detail ?? `${name} wants this account reconnected`;
    case 'access_removed':
      return `${name} ended Tether's access to this account${quoted} — reconnect to continue`;
    case 'rejected':
      return detail ?? `${name} refused the request`;
    case 'platform_unavailable':
      return detail ?? `${name} could not be reached; try again later`;
    case 'post_gone':
      return 'The post was deleted before it went out';

    // The platforms' codes, passed through: their words, or ours for notices that bring none.
    case 'access_token_rejected':
      return detail ?? `${name} refused the access token`;
    case 'access_token_expired':
      return detail ?? `${name} says the access token has expired`;
    case 'refresh_token_invalid':
      return detail ?? `${name} no longer accepts this connection's refresh token — reconnect to continue`;
    case 'refresh_unavailable':
      return detail ?? `${name} offers no way to renew this token — reconnect to continue`;
    case 'authorization_code_invalid':
      return detail ?? `${name} did not accept the sign-in — connect again`;
    case 'consent_denied':
      return detail ?? `Tether was not allowed access on ${name} — connect again and allow it`;
    case 'token_revoked':
      return detail ?? `Tether's access on ${name} was revoked — reconnect to continue`;
    case 'token_expired':
      return detail ?? `${name} says the access has expired — reconnect to continue`;
    case 'token_invalid':
      return detail ?? `${name} no longer accepts the token — reconnect to continue`;
    case 'password_changed':
      return detail ?? `The ${name} password was changed, which ended Tether's access — reconnect to continue`;
    case 'checkpoint_required':
      return detail ?? `${name} wants you to confirm something in its app — do that, then reconnect`;
    case 'unconfirmed_user':
      return detail ?? `${name} says the account is not confirmed yet — confirm it, then reconnect`;
    case 'session_invalid':
      return detail ?? `The ${name} session ended — reconnect to continue`;
    case 'app_removed':
      return detail ?? `You removed Tether's access on ${name} — reconnect to continue`;
    case 'permission_missing':
      return detail ?? `Tether lacks a permission it needs on ${name} — reconnect and allow every permission`;
    case 'account_suspended':
      return detail ?? `${name} suspended this account, so Tether's access ended`;
    case 'account_deactivated':
      return detail ?? `${name} says this account was deactivated or deleted, so Tether's access ended`;
    case 'no_channel':
      return detail ?? `This ${name} account has no channel to post to — create one, then reconnect`;
    case 'app_password_invalid':
      return detail ?? `${name} no longer accepts the app password — reconnect with a new one`;
    case 'two_factor_required':
      return detail ?? `${name} asks for a two-factor code — reconnect with an app password`;
    default: {
      // Every code has its words: a code added to the unions without them fails to compile here.
      const unphrased: never = code;
      return unphrased;
    }
  }
}
