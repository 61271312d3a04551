// The `code` values of `reauthRequired` outcomes. Two families:
// - "try a refresh": the access token was refused or has expired, but the account may hold a way to
//   renew it. The lifecycle refreshes once and retries; only if that refresh fails definitively is
//   the account expired.
// - "reconnect": the grant itself is gone; nothing but the user connecting again helps.
// platforms/README.md documents each code.

export const REFRESH_THEN_RETRY_CODES = ['access_token_rejected', 'access_token_expired'] as const;

export const RECONNECT_CODES = [
  'refresh_token_invalid',
  'refresh_unavailable',
  'authorization_code_invalid',
  'consent_denied',
  'token_revoked',
  'token_expired',
  'token_invalid',
  'password_changed',
  'checkpoint_required',
  'unconfirmed_user',
  'session_invalid',
  'app_removed',
  'permission_missing',
  'account_suspended',
  'account_deactivated',
  'no_channel',
  'app_password_invalid',
  'two_factor_required',
] as const;

export type RefreshThenRetryCode = (typeof REFRESH_THEN_RETRY_CODES)[number];
export type ReconnectCode = (typeof RECONNECT_CODES)[number];
export type ReauthCode = RefreshThenRetryCode | ReconnectCode;

/** True when a failure means "refresh the access token, then retry the call" rather than "reconnect". */
export function shouldRefreshThenRetry(outcome: { kind: string; code?: string }): boolean {
  return outcome.kind === 'reauthRequired' && (REFRESH_THEN_RETRY_CODES as readonly string[]).includes(outcome.code ?? '');
}
