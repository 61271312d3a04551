// The closed sets of codes reasons and next actions carry. Code, not words: services/phrasing/
// turns them into English in the reader's time zone; Temporal UI shows them as they are.
import { RECONNECT_CODES, REFRESH_THEN_RETRY_CODES, type ReauthCode } from '../../platforms/codes.js';

/** Reasons the lifecycle gives itself; the comment says what `at` is. */
export const LIFECYCLE_REASON_CODES = [
  /** A token nothing can renew dies at `at`. */
  'token_expiring',
  /** The refresh token (the authorization) ends at `at` and cannot be renewed. */
  'authorization_ending',
  /** Facebook-style data access ends at `at`. */
  'data_access_expiring',
  /** `count` renewals failed in a row; the token dies at `at` unless one succeeds; `cause` is the latest failure. */
  'renewal_failing',
  /** The access token died at `at`. */
  'access_expired',
  /** The authorization (refresh token) ended at `at`. */
  'authorization_expired',
  /** Data access ended at `at` and the token no longer validates (`detail`). */
  'data_access_expired',
  /** Expired, and nothing recorded why. */
  'expired',
  /** The platform rate-limits until `at`; the operation is retried then. */
  'rate_limited',
  /** The platform rejected the renewal or validation (`detail`); retried at `at`. */
  'renewal_rejected',
  'validation_rejected',
  /** The renewal or validation did not complete (`detail`); retried at `at`. */
  'renewal_retrying',
  'validation_retrying',
  /** "Renew now" on a token nothing can renew; it dies at `at` (absent: it does not expire). */
  'renewal_unavailable',
  /** "Renew now" on a token too young to renew; renewal is possible from `at`. */
  'renewal_too_early',
] as const;

/** Reasons about one call or one message rather than the lifecycle's schedule. */
export const CALL_REASON_CODES = [
  /** The platform refused newly connected credentials (`detail`). */
  'credentials_invalid',
  /** Tether holds no credentials for the account. */
  'credentials_missing',
  /** The platform wants a reconnect, with a code Tether does not know (`detail`). */
  'reauth_required',
  /** The platform ended Tether's access (`detail`: why, when it says). */
  'access_removed',
  /** The platform refused the request or the post (`detail`). */
  'rejected',
  /** The platform or the network failed (`detail`). */
  'platform_unavailable',
  /** The (test) post was deleted before it went out. */
  'post_gone',
] as const;

export type LifecycleReasonCode = (typeof LIFECYCLE_REASON_CODES)[number];
export type CallReasonCode = (typeof CALL_REASON_CODES)[number];
/** Every code a reason carries: the lifecycle's, the calls', and the platforms' own (passed through). */
export type ReasonCode = LifecycleReasonCode | CallReasonCode | ReauthCode;

const REASON_CODES: ReadonlySet<string> = new Set<string>([...LIFECYCLE_REASON_CODES, ...CALL_REASON_CODES, ...REFRESH_THEN_RETRY_CODES, ...RECONNECT_CODES]);

/** Whether a code (e.g. read from a stored document) is one Tether knows today. */
export const isReasonCode = (code: string): code is ReasonCode => REASON_CODES.has(code);

export const isReauthCode = (code: string): code is ReauthCode =>
  (REFRESH_THEN_RETRY_CODES as readonly string[]).includes(code) || (RECONNECT_CODES as readonly string[]).includes(code);

/** What the lifecycle does next by itself (see schedule.ts `describeNext`). */
export const NEXT_ACTION_CODES = [
  /** Schema 1 (legacy rules): renew at 75–85 % of the access token's life. */
  'renew',
  'retryRenewal',
  /** Schema 1: the periodic validation of a token nothing renews. */
  'validate',
  'retryValidation',
  /** A renewal or validation is under way; `at` is when Tether stops waiting for its result. */
  'awaitRenewal',
  'awaitValidation',
  /** Schema 2 (renew by need): renew before the grant (refresh token, long-lived token) ages out. */
  'renewGrant',
  /** Schema 2: the health check (the platform's cheapest call that proves the connection works). */
  'check',
  'retryCheck',
  'awaitCheck',
  /** Schema 2: renew before a post whose access token would be dead when it is due (a wake, not shown on pages). */
  'renewBeforePost',
  /** Warn the owner about a coming expiry. */
  'warn',
  'markExpired',
  'waitForReconnect',
  /** A new connection's credentials are being checked. */
  'checkCredentials',
  'nothing',
] as const;

export type NextActionCode = (typeof NEXT_ACTION_CODES)[number];

export const isNextActionCode = (code: string): code is NextActionCode => (NEXT_ACTION_CODES as readonly string[]).includes(code);
