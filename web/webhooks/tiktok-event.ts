// The body of a TikTok webhook (client_key, event, create_time, user_openid, and `content`, itself
// a JSON string). Parsed only after the signature has been verified.

export interface TikTokEvent {
  clientKey: string;
  event: string;
  /** Epoch seconds, when the event happened. */
  createTime?: number;
  userOpenId: string;
  /** `authorization.removed` only: 0 unknown, 1 user disconnected, 2 account deleted, 3 age changed, 4 banned, 5 developer revoked. */
  removalReason?: number;
}

export type TikTokEventParse = { ok: true; event: TikTokEvent } | { ok: false; message: string };

export function parseTikTokEvent(rawBody: string): TikTokEventParse {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, message: 'body is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'body is not a JSON object' };
  const fields = body as Record<string, unknown>;
  if (typeof fields.event !== 'string' || !fields.event) return { ok: false, message: 'event is missing' };
  if (typeof fields.user_openid !== 'string' || !fields.user_openid) return { ok: false, message: 'user_openid is missing' };
  const createTime = typeof fields.create_time === 'number' && Number.isFinite(fields.create_time) ? fields.create_time : undefined;
  return {
    ok: true,
    event: {
      clientKey: typeof fields.client_key === 'string' ? fields.client_key : '',
      event: fields.event,
      userOpenId: fields.user_openid,
      ...(createTime === undefined ? {} : { createTime }),
      ...removalReasonOf(fields.content),
    },
  };
}

function removalReasonOf(content: unknown): { removalReason?: number } {
  if (typeof content !== 'string') return {};
  try {
    const parsed = JSON.parse(content) as { reason?: unknown };
    return typeof parsed?.reason === 'number' && Number.isInteger(parsed.reason) ? { removalReason: parsed.reason } : {};
  } catch {
    return {};
  }
}
