import { createHmac } from 'node:crypto';

// Signed webhook delivery. Receivers verify `Tether-Signature: t=<unix seconds>,v1=<hex>` where
// v1 = HMAC-SHA256(secret, "<t>.<raw body>") and reject stale timestamps.

export const SIGNATURE_HEADER = 'Tether-Signature';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface WebhookPayload {
  id: string;
  type: string;
  accountId: string;
  platform: string;
  handle: string;
  penName: string;
  reason: { code: string; message: string } | null;
  /** ISO time, or null. */
  deadline: string | null;
  /** Absolute dashboard URL. */
  link: string;
  createdAt: string;
}

export function signWebhook(secret: string, body: string, timestampSec: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return `t=${timestampSec},v1=${digest}`;
}

export interface WebhookTarget {
  url: string;
  secret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** POSTs the payload; throws with the status (never the secret) unless the receiver answers 2xx. */
export async function sendWebhook(target: WebhookTarget, payload: WebhookPayload): Promise<void> {
  const body = JSON.stringify(payload);
  const timestampSec = Math.floor((target.now ?? Date.now)() / 1000);
  const send = target.fetch ?? fetch;
  let response: Response;
  try {
    response = await send(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(target.secret, body, timestampSec) },
      body,
      signal: AbortSignal.timeout(target.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (error) {
    throw new Error(`webhook request failed: ${(error as Error).message}`, { cause: error });
  }
  // Drain the body so the connection is released.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`webhook receiver answered HTTP ${response.status}`);
}
