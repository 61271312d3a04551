import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sendWebhook, signWebhook, type WebhookPayload } from '../../../activities/notify/webhook.js';

const payload: WebhookPayload = {
  id: 'n1',
  type: 'account.expired',
  accountId: 'a1',
  platform: 'x',
  handle: 'alice',
  penName: 'Main',
  reason: { code: 'token_revoked', message: 'X says access was revoked' },
  deadline: null,
  link: 'https://tether.example/connections/a1/reconnect',
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('webhook signature', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>', () => {
    const header = signWebhook('s'.repeat(32), '{"a":1}', 1_700_000_000);
    const expected = createHmac('sha256', 's'.repeat(32)).update('1700000000.{"a":1}').digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('changes with the body, the timestamp and the secret', () => {
    const base = signWebhook('secret-a', 'body', 1);
    expect(signWebhook('secret-a', 'body2', 1)).not.toBe(base);
    expect(signWebhook('secret-a', 'body', 2)).not.toBe(base);
    expect(signWebhook('secret-b', 'body', 1)).not.toBe(base);
  });
});

describe('sendWebhook', () => {
  it('posts the JSON body with a signature the receiver can verify', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response(null, { status: 204 });
    }) as unknown as typeof fetch;
    await sendWebhook({ url: 'https://hooks.example/x', secret: 'k'.repeat(32), fetch: fakeFetch, now: () => 1_700_000_123_456 }, payload);
    expect(seen).toHaveLength(1);
    const { init } = seen[0]!;
    const headers = init.headers as Record<string, string>;
    const body = init.body as string;
    expect(JSON.parse(body)).toEqual(payload);
    expect(headers['content-type']).toBe('application/json');
    const digest = createHmac('sha256', 'k'.repeat(32)).update(`1700000123.${body}`).digest('hex');
    expect(headers['Tether-Signature']).toBe(`t=1700000123,v1=${digest}`);
  });

  it('throws on a non-2xx answer and on a network error', async () => {
    const answer500 = (async () => new Response('nope', { status: 500 })) as unknown as typeof fetch;
    await expect(sendWebhook({ url: 'https://hooks.example/x', secret: 'k', fetch: answer500 }, payload)).rejects.toThrow(/HTTP 500/);
    const refuse = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(sendWebhook({ url: 'https://hooks.example/x', secret: 'k', fetch: refuse }, payload)).rejects.toThrow(/request failed/);
  });
});
