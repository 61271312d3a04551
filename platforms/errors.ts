// Shared readers for platform error bodies and the status-code fallbacks every classifier uses.

import { invalid, rateLimited, reauthRequired, transient } from './outcome.js';
import { describeResetAt, rateLimitResetFromHeaders } from './rate-limit.js';
import type { HttpResponse } from './http.js';
import type { Failure } from './types.js';

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** RFC 6749 token-endpoint error: `{ "error": "invalid_grant", "error_description": "..." }`. */
export function oauthError(body: unknown): { error: string; description?: string } | undefined {
  const record = asRecord(body);
  const error = asString(record?.error);
  if (!error) return undefined;
  return { error, description: asString(record?.error_description) };
}

/** A short human detail from common error shapes, for messages. Never more than 200 characters. */
export function errorDetail(body: unknown): string | undefined {
  const record = asRecord(body);
  if (!record) return undefined;
  const nested = asRecord(record.error);
  const candidates = [
    asString(record.error_description),
    asString(record.detail),
    asString(record.message),
    asString(nested?.message),
    asString(record.title),
    asString(record.error),
  ];
  const first = candidates.find((c) => c !== undefined);
  if (!first) return undefined;
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

/** Appends a platform's own words to a message when there are some. */
export function withDetail(message: string, body: unknown): string {
  const detail = errorDetail(body);
  return detail ? `${message} (${platformSays(detail)})` : message;
}

function platformSays(detail: string): string {
  return detail.replace(/\s+/g, ' ').replace(/\.$/, '');
}

export interface StatusContext {
  platformName: string;
  now: Date;
  /** Whether a 401 means "refresh then retry" (a refresh token is held) or the token is simply dead. */
  canRefresh: boolean;
  /** Seconds to wait on a 429 without reset headers. */
  rateLimitFallbackSec?: number;
}

/** What an HTTP status means when the body says nothing more specific. */
export function classifyByStatus(response: HttpResponse, ctx: StatusContext): Failure {
  const { status } = response;
  const name = ctx.platformName;
  if (status === 429) {
    const resetAt = rateLimitResetFromHeaders(response.headers, ctx.now, ctx.rateLimitFallbackSec ?? 60);
    return rateLimited(resetAt, `${name} is rate-limiting until ${describeResetAt(resetAt, ctx.now)}`);
  }
  if (status >= 500 || status === 408) return transient(`${name} is having trouble (HTTP ${status}); Tether will retry`);
  if (status === 401) {
    return ctx.canRefresh
      ? reauthRequired('access_token_rejected', withDetail(`${name} refused the access token; Tether will refresh it and retry`, response.body))
      : reauthRequired('token_invalid', withDetail(`${name} no longer accepts this connection — reconnect to continue`, response.body));
  }
  if (status === 403) {
    return reauthRequired('permission_missing', withDetail(`${name} says Tether is missing a permission — reconnect and grant it`, response.body));
  }
  if (status >= 300 && status < 400) return invalid(`${name} redirected the request (HTTP ${status}); check the configured URLs`);
  return invalid(withDetail(`${name} rejected the request (HTTP ${status})`, response.body));
}

/** A refresh attempt that cannot be made because no refresh token is stored. */
export function missingRefreshToken(platformName: string): Failure {
  return reauthRequired('refresh_unavailable', `${platformName} gave this connection no refresh token, so it cannot be renewed — reconnect to continue`);
}
