// Meta Graph API error classification (Facebook, Instagram via Facebook Login, Threads).
// Error body: {"error":{"message","type":"OAuthException","code":190,"error_subcode":460,"fbtrace_id"}}.

import { asRecord, asString, classifyByStatus } from './errors.js';
import type { HttpResponse } from './http.js';
import { invalid, rateLimited, reauthRequired, transient } from './outcome.js';
import { describeResetAt, rateLimitResetFromHeaders, secondsFromNow } from './rate-limit.js';
import type { Failure } from './types.js';

export interface GraphError {
  code?: number;
  subcode?: number;
  type?: string;
  message?: string;
}

export function graphError(body: unknown): GraphError | undefined {
  const error = asRecord(asRecord(body)?.error);
  if (!error) return undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  return { code: num(error.code), subcode: num(error.error_subcode), type: asString(error.type), message: asString(error.message) };
}

/** Minutes until access returns, from `X-Business-Use-Case-Usage` (the largest across entries). */
export function businessUseCaseWaitMinutes(headers: Headers): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    let max: number | undefined;
    for (const entries of Object.values(asRecord(parsed) ?? {})) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        const minutes = asRecord(entry)?.estimated_time_to_regain_access;
        if (typeof minutes === 'number' && (max === undefined || minutes > max)) max = minutes;
      }
    }
    return max;
  } catch {
    return undefined;
  }
}

const SUBCODE_REASONS: Record<number, { code: string; message: (name: string) => string }> = {
  458: { code: 'app_removed', message: (n) => `${n} says the person removed Tether from their account — reconnect to continue` },
  459: { code: 'checkpoint_required', message: (n) => `${n} has locked the account until its owner logs in at facebook.com — log in there, then reconnect` },
  460: { code: 'password_changed', message: (n) => `${n} says the password was changed — reconnect to continue` },
  463: { code: 'token_expired', message: (n) => `${n} says the access has expired — reconnect to continue` },
  464: { code: 'unconfirmed_user', message: (n) => `${n} says the account is not confirmed — confirm it on ${n}, then reconnect` },
  467: { code: 'session_invalid', message: (n) => `${n} ended the session (logged out or the token was invalidated) — reconnect to continue` },
};

const RATE_LIMIT_CODES = new Set([4, 9, 17, 32, 341, 613]);

/**
 * Maps a Graph error to an outcome. The rate-limit fallback without a BUC header is one hour, the
 * window Meta's app and Page limits roll over.
 */
export function classifyGraphError(platformName: string, response: HttpResponse, now: Date): Failure {
  const error = graphError(response.body);
  const name = platformName;
  if (!error || error.code === undefined) {
    return classifyByStatus(response, { platformName: name, now, canRefresh: false, rateLimitFallbackSec: 3600 });
  }
  const { code, subcode } = error;
  const said = error.message ? ` (${error.message.replace(/\.$/, '')})` : '';

  if (code === 190 || (code === 102 && subcode === undefined)) {
    const reason = subcode !== undefined ? SUBCODE_REASONS[subcode] : undefined;
    if (reason) return reauthRequired(reason.code, reason.message(name));
    return reauthRequired('token_invalid', `${name} no longer accepts this connection's token${said} — reconnect to continue`);
  }
  if (code === 102) return reauthRequired('session_invalid', `${name} ended the session${said} — reconnect to continue`);
  if (code === 1 || code === 2) return transient(`${name} had a temporary problem${said}; Tether will retry`);
  if (RATE_LIMIT_CODES.has(code) || (code >= 80001 && code <= 80099)) {
    const minutes = businessUseCaseWaitMinutes(response.headers);
    const resetAt =
      minutes !== undefined && minutes > 0
        ? secondsFromNow(now, minutes * 60)
        : response.status === 429
          ? rateLimitResetFromHeaders(response.headers, now, 3600)
          : secondsFromNow(now, 3600);
    return rateLimited(resetAt, `${name} is rate-limiting until ${describeResetAt(resetAt, now)}`);
  }
  if (code === 368) {
    const resetAt = secondsFromNow(now, 3600);
    return rateLimited(resetAt, `${name} has temporarily blocked this account from posting for policy reasons; Tether will try again after ${describeResetAt(resetAt, now)}`);
  }
  if (code === 506) return invalid(`${name} rejected this post as a duplicate of a recent one; change the text`);
  if (code === 10 || (code >= 200 && code <= 299)) {
    return reauthRequired('permission_missing', `${name} says Tether is missing a permission${said} — reconnect and grant it`);
  }
  if (code === 9007) return transient(`${name} is still processing the media${said}; Tether will retry`);
  // 9004: the media could not be downloaded from Tether's address, or is not a file the platform takes.
  if (code === 9004) return invalid(`${name} could not use the media file${said}; check the file, and that PUBLIC_URL is reachable from the internet`);
  if (response.status >= 500) return transient(`${name} is having trouble (HTTP ${response.status})${said}; Tether will retry`);
  if (response.status === 429) return classifyByStatus(response, { platformName: name, now, canRefresh: false, rateLimitFallbackSec: 3600 });
  return invalid(`${name} rejected the request${said}`);
}
