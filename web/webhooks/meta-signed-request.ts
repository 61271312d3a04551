import { createHmac } from 'node:crypto';
import { sameBytes } from '../../db/crypto.js';

// Meta's `signed_request` (Facebook Login deauthorize, Instagram and Threads uninstall callbacks):
// `base64url(HMAC-SHA256(app secret, encodedPayload)) + "." + encodedPayload`, where the payload is
// JSON with `algorithm: "HMAC-SHA256"`, `user_id` (app-scoped) and `issued_at` (epoch seconds).

export interface MetaSignedPayload {
  userId: string;
  /** Epoch seconds, when Meta sent it. */
  issuedAt: number;
}

type Problem = 'malformed' | 'unsupported_algorithm' | 'bad_signature' | 'stale';

export type MetaVerification = { ok: true; payload: MetaSignedPayload } | { ok: false; problem: Problem; message: string };

/**
 * How old a notice may be. A signed_request carries no nonce: without a bound on `issued_at`, one
 * captured notice could be replayed for ever. Meta signs `issued_at`, so a notice without it, or
 * older than the window (or from further in the future than clocks drift), is refused.
 */
export interface FreshnessWindow {
  nowSec: number;
  maxAgeSec: number;
}

const CLOCK_SKEW_SEC = 300;

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function fail(problem: Problem, message: string): MetaVerification {
  return { ok: false, problem, message };
}

/** Checks a signed_request against one app secret; nothing in the payload is trusted before this returns ok. */
export function verifyMetaSignedRequest(signedRequest: string, appSecret: string, window: FreshnessWindow): MetaVerification {
  const parts = signedRequest.split('.');
  const [encodedSignature, encodedPayload] = parts;
  if (parts.length !== 2 || !encodedSignature || !encodedPayload || !BASE64URL.test(encodedSignature) || !BASE64URL.test(encodedPayload)) {
    return fail('malformed', 'signed_request is not "<signature>.<payload>" in base64url');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
  } catch {
    return fail('malformed', 'signed_request payload is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return fail('malformed', 'signed_request payload is not an object');
  const fields = payload as Record<string, unknown>;
  if (typeof fields.algorithm !== 'string' || fields.algorithm.toUpperCase() !== 'HMAC-SHA256') {
    return fail('unsupported_algorithm', 'signed_request algorithm must be HMAC-SHA256');
  }
  const expected = createHmac('sha256', appSecret).update(encodedPayload).digest();
  if (!sameBytes(Buffer.from(encodedSignature, 'base64url'), expected)) return fail('bad_signature', 'signed_request signature does not match');

  const userId = typeof fields.user_id === 'string' ? fields.user_id : typeof fields.user_id === 'number' ? String(fields.user_id) : '';
  if (!/^\d+$/.test(userId)) return fail('malformed', 'signed_request has no user_id');
  const issuedAt = typeof fields.issued_at === 'number' && Number.isFinite(fields.issued_at) ? fields.issued_at : undefined;
  if (issuedAt === undefined) return fail('stale', 'signed_request has no issued_at');
  if (issuedAt < window.nowSec - window.maxAgeSec || issuedAt > window.nowSec + CLOCK_SKEW_SEC) return fail('stale', 'signed_request issued_at is outside the accepted window');
  return { ok: true, payload: { userId, issuedAt } };
}
