import { createHmac } from 'node:crypto';
import { sameBytes } from '../../db/crypto.js';

// TikTok webhooks: header `TikTok-Signature: t=<epoch s>,s=<hex HMAC-SHA256(client secret, "<t>.<raw body>")>`.
// The timestamp is signed, so a replay is caught by refusing timestamps outside a tolerance window.

export const TIKTOK_SIGNATURE_TOLERANCE_SEC = 300;

export type TikTokSignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; problem: 'malformed' | 'stale' | 'bad_signature'; message: string };

function parseHeader(header: string): { timestamp: number; signature: string } | undefined {
  const fields = new Map<string, string>();
  for (const element of header.split(',')) {
    const at = element.indexOf('=');
    if (at > 0) fields.set(element.slice(0, at).trim(), element.slice(at + 1).trim());
  }
  const t = fields.get('t');
  const s = fields.get('s');
  if (!t || !/^\d{1,12}$/.test(t) || !s || !/^[0-9a-fA-F]{64}$/.test(s)) return undefined;
  return { timestamp: Number(t), signature: s.toLowerCase() };
}

export function verifyTikTokSignature(input: {
  header: string | undefined;
  rawBody: string;
  clientSecret: string;
  nowSec: number;
  toleranceSec?: number;
}): TikTokSignatureCheck {
  const parsed = input.header ? parseHeader(input.header) : undefined;
  if (!parsed) return { ok: false, problem: 'malformed', message: 'TikTok-Signature header is missing or not "t=<timestamp>,s=<hex>"' };
  const expected = createHmac('sha256', input.clientSecret).update(`${parsed.timestamp}.${input.rawBody}`).digest();
  if (!sameBytes(Buffer.from(parsed.signature, 'hex'), expected)) return { ok: false, problem: 'bad_signature', message: 'TikTok-Signature does not match the body' };
  if (Math.abs(input.nowSec - parsed.timestamp) > (input.toleranceSec ?? TIKTOK_SIGNATURE_TOLERANCE_SEC)) {
    return { ok: false, problem: 'stale', message: 'TikTok-Signature timestamp is outside the accepted window' };
  }
  return { ok: true, timestamp: parsed.timestamp };
}
