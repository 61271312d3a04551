import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { phraseReason } from '../../../services/phrasing/index.js';
import { signedRequest, tiktokSignature } from '../../../sandbox/core/callbacks.js';
import { verifyMetaSignedRequest } from '../../../web/webhooks/meta-signed-request.js';
import { appRemovedReason, tiktokRemovalReason } from '../../../web/webhooks/reasons.js';
import { parseTikTokEvent } from '../../../web/webhooks/tiktok-event.js';
import { verifyTikTokSignature } from '../../../web/webhooks/tiktok-signature.js';

const SECRET = 'app-secret-for-tests';
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Built by hand, independently of the sandbox, as Meta documents it. */
function metaSigned(payload: unknown, secret = SECRET): string {
  const encoded = b64url(JSON.stringify(payload));
  return `${createHmac('sha256', secret).update(encoded).digest('base64url')}.${encoded}`;
}

describe('Meta signed_request', () => {
  const issuedAt = 1_700_000_000;
  const payload = { algorithm: 'HMAC-SHA256', user_id: '100000000000001', issued_at: issuedAt };
  /** An hour's window, a minute after the notice was issued. */
  const window = { nowSec: issuedAt + 60, maxAgeSec: 3600 };

  it('accepts a request signed with the app secret and returns the user and time', () => {
    expect(verifyMetaSignedRequest(metaSigned(payload), SECRET, window)).toEqual({ ok: true, payload: { userId: '100000000000001', issuedAt: 1_700_000_000 } });
  });

  it('accepts what the sandbox sends', () => {
    const result = verifyMetaSignedRequest(signedRequest(SECRET, { algorithm: 'HMAC-SHA256', user_id: '42', issued_at: issuedAt }), SECRET, window);
    expect(result).toEqual({ ok: true, payload: { userId: '42', issuedAt } });
  });

  it('accepts a numeric user_id and a padded encoding', () => {
    const encoded = Buffer.from(JSON.stringify({ algorithm: 'hmac-sha256', user_id: 77, issued_at: issuedAt })).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    const signature = createHmac('sha256', SECRET).update(encoded).digest('base64url');
    expect(verifyMetaSignedRequest(`${signature}.${encoded}`, SECRET, window)).toEqual({ ok: true, payload: { userId: '77', issuedAt } });
  });

  it('refuses another secret', () => {
    expect(verifyMetaSignedRequest(metaSigned(payload, 'someone-else'), SECRET, window)).toMatchObject({ ok: false, problem: 'bad_signature' });
  });

  it('refuses a payload changed after signing', () => {
    const [signature] = metaSigned(payload).split('.');
    const forged = b64url(JSON.stringify({ ...payload, user_id: '100000000000002' }));
    expect(verifyMetaSignedRequest(`${signature}.${forged}`, SECRET, window)).toMatchObject({ ok: false, problem: 'bad_signature' });
  });

  it('refuses a truncated signature', () => {
    const [signature, encoded] = metaSigned(payload).split('.');
    expect(verifyMetaSignedRequest(`${signature!.slice(0, 20)}.${encoded}`, SECRET, window)).toMatchObject({ ok: false, problem: 'bad_signature' });
  });

  it('refuses an algorithm other than HMAC-SHA256, even when correctly signed', () => {
    expect(verifyMetaSignedRequest(metaSigned({ ...payload, algorithm: 'HMAC-SHA1' }), SECRET, window)).toMatchObject({ ok: false, problem: 'unsupported_algorithm' });
    expect(verifyMetaSignedRequest(metaSigned({ user_id: '1' }), SECRET, window)).toMatchObject({ ok: false, problem: 'unsupported_algorithm' });
  });

  it.each([
    ['no dot', 'abcdef'],
    ['three parts', 'a.b.c'],
    ['empty signature', `.${b64url('{}')}`],
    ['characters outside base64url', 'a+b/c.d*e'],
    ['payload that is not JSON', `abc.${b64url('not json')}`],
    ['payload that is not an object', `abc.${b64url('[1,2]')}`],
  ])('refuses a malformed request: %s', (_name, value) => {
    expect(verifyMetaSignedRequest(value, SECRET, window)).toMatchObject({ ok: false, problem: 'malformed' });
  });

  it('refuses a correctly signed notice without issued_at, older than the window or from the future', () => {
    const { issued_at: _dropped, ...undated } = payload;
    expect(verifyMetaSignedRequest(metaSigned(undated), SECRET, window)).toEqual({ ok: false, problem: 'stale', message: 'signed_request has no issued_at' });
    expect(verifyMetaSignedRequest(metaSigned({ ...payload, issued_at: String(issuedAt) }), SECRET, window)).toMatchObject({ ok: false, problem: 'stale' });
    expect(verifyMetaSignedRequest(metaSigned(payload), SECRET, { nowSec: issuedAt + 3601, maxAgeSec: 3600 })).toMatchObject({ ok: false, problem: 'stale' });
    expect(verifyMetaSignedRequest(metaSigned(payload), SECRET, { nowSec: issuedAt + 3600, maxAgeSec: 3600 })).toMatchObject({ ok: true });
    expect(verifyMetaSignedRequest(metaSigned(payload), SECRET, { nowSec: issuedAt - 301, maxAgeSec: 3600 })).toMatchObject({ ok: false, problem: 'stale' });
  });

  it('refuses a signed payload without a usable user_id', () => {
    expect(verifyMetaSignedRequest(metaSigned({ algorithm: 'HMAC-SHA256', issued_at: 1 }), SECRET, window)).toMatchObject({ ok: false, problem: 'malformed' });
    expect(verifyMetaSignedRequest(metaSigned({ algorithm: 'HMAC-SHA256', user_id: { $ne: null } }), SECRET, window)).toMatchObject({ ok: false, problem: 'malformed' });
  });
});

describe('TikTok-Signature', () => {
  const now = 1_700_000_000;
  const body = JSON.stringify({ client_key: 'ck', event: 'authorization.removed', create_time: now, user_openid: 'open-1', content: '{"reason":1}' });
  const header = (timestamp: number, raw = body, secret = SECRET) => `t=${timestamp},s=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
  const check = (overrides: Partial<Parameters<typeof verifyTikTokSignature>[0]>) =>
    verifyTikTokSignature({ header: header(now), rawBody: body, clientSecret: SECRET, nowSec: now, ...overrides });

  it('accepts a fresh signature over the exact body', () => {
    expect(check({})).toEqual({ ok: true, timestamp: now });
    expect(check({ header: tiktokSignature(SECRET, now - 10, body) })).toEqual({ ok: true, timestamp: now - 10 });
  });

  it('refuses a changed body, another secret and a changed timestamp', () => {
    expect(check({ rawBody: body.replace('open-1', 'open-2') })).toMatchObject({ ok: false, problem: 'bad_signature' });
    expect(check({ header: header(now, body, 'another-secret') })).toMatchObject({ ok: false, problem: 'bad_signature' });
    expect(check({ header: header(now).replace(`t=${now}`, `t=${now + 1}`) })).toMatchObject({ ok: false, problem: 'bad_signature' });
  });

  it('refuses timestamps more than five minutes away, either side', () => {
    expect(check({ header: header(now - 300) })).toMatchObject({ ok: true });
    expect(check({ header: header(now - 301) })).toMatchObject({ ok: false, problem: 'stale' });
    expect(check({ header: header(now + 301) })).toMatchObject({ ok: false, problem: 'stale' });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no signature', `t=${now}`],
    ['no timestamp', `s=${'a'.repeat(64)}`],
    ['signature not hex', `t=${now},s=${'z'.repeat(64)}`],
    ['signature too short', `t=${now},s=abcd`],
    ['timestamp not a number', `t=soon,s=${'a'.repeat(64)}`],
  ])('refuses a malformed header: %s', (_name, value) => {
    expect(check({ header: value })).toMatchObject({ ok: false, problem: 'malformed' });
  });
});

describe('TikTok event body', () => {
  it('reads authorization.removed with its reason', () => {
    const raw = JSON.stringify({ client_key: 'ck', event: 'authorization.removed', create_time: 12, user_openid: 'open-1', content: '{"reason": 2 }' });
    expect(parseTikTokEvent(raw)).toEqual({ ok: true, event: { clientKey: 'ck', event: 'authorization.removed', createTime: 12, userOpenId: 'open-1', removalReason: 2 } });
  });

  it('tolerates content that is not JSON', () => {
    const raw = JSON.stringify({ event: 'authorization.removed', user_openid: 'open-1', content: '{' });
    expect(parseTikTokEvent(raw)).toEqual({ ok: true, event: { clientKey: '', event: 'authorization.removed', userOpenId: 'open-1' } });
  });

  it.each([
    ['not JSON', '{"event":'],
    ['not an object', '"authorization.removed"'],
    ['no event', JSON.stringify({ user_openid: 'x' })],
    ['no user', JSON.stringify({ event: 'authorization.removed' })],
  ])('refuses a malformed body: %s', (_name, raw) => {
    expect(parseTikTokEvent(raw)).toMatchObject({ ok: false });
  });
});

describe('removal reasons', () => {
  it('are codes that read, for the account\'s platform, as the platform\'s notice and a request to reconnect', () => {
    expect(appRemovedReason('facebook')).toEqual({ code: 'app_removed' });
    expect(phraseReason(appRemovedReason('facebook'), { platform: 'facebook', timeZone: 'UTC' })).toBe("You removed Tether's access on Facebook — reconnect to continue");
    expect(tiktokRemovalReason(1)).toEqual(appRemovedReason('tiktok'));
    expect(tiktokRemovalReason(2).code).toBe('account_deactivated');
    expect(tiktokRemovalReason(4).code).toBe('account_suspended');
    expect(tiktokRemovalReason(5).code).toBe('token_revoked');
    const tiktok = { platform: 'tiktok' as const, timeZone: 'UTC' };
    expect(phraseReason(tiktokRemovalReason(3), tiktok)).toBe("TikTok ended Tether's access to this account (the account's age settings changed) — reconnect to continue");
    expect(phraseReason(tiktokRemovalReason(undefined), tiktok)).toBe("TikTok ended Tether's access to this account — reconnect to continue");
  });
});
