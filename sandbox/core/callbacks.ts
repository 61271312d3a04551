// Deauthorization callbacks: Meta's signed_request POST and TikTok's authorization.removed webhook.

import { createHmac } from 'node:crypto';
import type { PlatformId } from '../../platforms/types.js';
import type { CallbackDelivery } from '../api-types.js';
import type { SandboxState } from './state.js';

/** `base64url(HMAC-SHA256(secret, encodedPayload)) + '.' + encodedPayload`, as Facebook builds it. */
export function signedRequest(secret: string, payload: Record<string, unknown>): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', secret).update(encoded).digest('base64url');
  return `${signature}.${encoded}`;
}

/** `t=<ts>,s=<hex HMAC-SHA256(secret, "<ts>.<body>")>`, as TikTok signs webhooks. */
export function tiktokSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},s=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

async function deliver(
  state: SandboxState,
  platform: PlatformId,
  url: string,
  contentType: string,
  body: string,
  headers: Record<string, string>,
): Promise<CallbackDelivery> {
  const delivery: CallbackDelivery = { platform, url, at: new Date(state.clock.now()).toISOString(), contentType, body, headers };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'user-agent': 'sandbox-platform-callback', ...headers },
      body,
      signal: AbortSignal.timeout(5000),
    });
    delivery.status = response.status;
    await response.arrayBuffer();
  } catch (error) {
    delivery.error = error instanceof Error ? error.message : String(error);
  }
  state.callbacks.push(delivery);
  state.logger?.info({ platform, url, status: delivery.status, error: delivery.error }, 'sandbox: deauthorization callback sent');
  return delivery;
}

/** Sends the platform's "app removed" notice, when the platform has one and a URL is configured. */
export async function sendDeauthorization(
  state: SandboxState,
  platform: PlatformId,
  userId: string,
  reason: number,
): Promise<CallbackDelivery | undefined> {
  const urls = state.settings.deauthorizeUrls;
  const secret = state.clients[platform].clientSecret;
  const nowSec = state.clock.nowSec();
  if (platform === 'facebook' || platform === 'instagram' || platform === 'threads') {
    const url = platform === 'facebook' ? urls.facebook : platform === 'instagram' ? (urls.instagram ?? urls.facebook) : urls.threads;
    if (!url) return undefined;
    const form = new URLSearchParams({ signed_request: signedRequest(secret, { algorithm: 'HMAC-SHA256', user_id: userId, issued_at: nowSec }) });
    return deliver(state, platform, url, 'application/x-www-form-urlencoded', form.toString(), {});
  }
  if (platform === 'tiktok') {
    if (!urls.tiktok) return undefined;
    const body = JSON.stringify({
      client_key: state.clients.tiktok.clientId,
      event: 'authorization.removed',
      create_time: nowSec,
      user_openid: userId,
      content: JSON.stringify({ reason }),
    });
    return deliver(state, platform, urls.tiktok, 'application/json', body, { 'TikTok-Signature': tiktokSignature(secret, nowSec, body) });
  }
  return undefined;
}
