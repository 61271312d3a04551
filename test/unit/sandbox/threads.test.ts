import { describe, expect, it } from 'vitest';
import { approveConsent, denyConsent } from '../../../sandbox/client.js';
import { codeOf, postForm, REDIRECT, useSandbox, withQuery } from './helpers.js';

const h = useSandbox();
const ALICE = '7000000000000001';
const graph = (path: string) => h.url(`graph.threads.net/v1.0/${path}`);

async function connect() {
  const authorize = withQuery(h.url('threads.com/oauth/authorize'), {
    client_id: 'sandbox-threads-client',
    redirect_uri: REDIRECT,
    scope: 'threads_basic,threads_content_publish',
    response_type: 'code',
    state: 'th',
  });
  const code = codeOf(await approveConsent(authorize));
  const response = await postForm(h.url('graph.threads.net/oauth/access_token'), {
    client_id: 'sandbox-threads-client',
    client_secret: 'sandbox-threads-secret',
    code,
    grant_type: 'authorization_code',
    redirect_uri: REDIRECT,
  });
  expect(response.status).toBe(200);
  const short = (await response.json()) as { access_token: string; user_id: number };
  expect(short.user_id).toBe(Number(ALICE));
  const long = await fetch(withQuery(h.url('graph.threads.net/access_token'), { grant_type: 'th_exchange_token', client_secret: 'sandbox-threads-secret', access_token: short.access_token }));
  expect(long.status).toBe(200);
  return (await long.json()) as { access_token: string; expires_in: number };
}

const refreshUrl = (token: string) => withQuery(h.url('graph.threads.net/refresh_access_token'), { grant_type: 'th_refresh_token', access_token: token });

describe('Threads sandbox', () => {
  it('exchanges to a 60-day token and refreshes it only once it is a day old', async () => {
    const long = await connect();
    expect(long.expires_in).toBe(5183944);
    const tooEarly = await fetch(refreshUrl(long.access_token));
    expect(tooEarly.status).toBe(400);
    await h.client.advanceClock(86_401);
    const refreshed = await fetch(refreshUrl(long.access_token));
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as { expires_in: number }).expires_in).toBe(5183944);

    await h.client.advanceClock(61 * 86400);
    const expired = await fetch(refreshUrl(long.access_token));
    expect(((await expired.json()) as { error: { code: number; error_subcode: number } }).error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('reads the profile and publishes through a container, with the 500-character limit', async () => {
    const { access_token } = await connect();
    const me = await fetch(withQuery(graph('me'), { fields: 'id,username,name,threads_profile_picture_url', access_token }));
    expect(await me.json()).toMatchObject({ id: ALICE, username: 'alice.threads', name: 'Alice Archer' });
    const tooLong = await postForm(graph(`${ALICE}/threads`), { media_type: 'TEXT', text: 'x'.repeat(501), access_token });
    expect(tooLong.status).toBe(400);
    // Emoji count as their UTF-8 bytes: 480 letters and five 4-byte emoji are 500, six are 504.
    const atLimit = await postForm(graph(`${ALICE}/threads`), { media_type: 'TEXT', text: `${'x'.repeat(480)}${'😀'.repeat(5)}`, access_token });
    expect(atLimit.status).toBe(200);
    const emojiHeavy = await postForm(graph(`${ALICE}/threads`), { media_type: 'TEXT', text: `${'x'.repeat(480)}${'😀'.repeat(6)}`, access_token });
    expect(emojiHeavy.status).toBe(400);
    expect(((await emojiHeavy.json()) as { error: { message: string } }).error.message).toContain('500');
    const container = await postForm(graph(`${ALICE}/threads`), { media_type: 'TEXT', text: 'First thread', access_token });
    const { id } = (await container.json()) as { id: string };
    const publish = () => postForm(graph(`${ALICE}/threads_publish`), { creation_id: id, access_token }, { 'idempotency-key': 'th-1' });
    const first = (await (await publish()).json()) as { id: string };
    const second = (await (await publish()).json()) as { id: string };
    expect(second.id).toBe(first.id);
    expect(await h.client.counters({ platform: 'threads', externalId: ALICE })).toMatchObject({ publishAttempts: 2, publishReplays: 1, publishDuplicates: 0 });
    const permalink = await fetch(withQuery(graph(first.id), { fields: 'permalink', access_token }));
    const url = ((await permalink.json()) as { permalink: string }).permalink;
    expect(await (await fetch(url)).text()).toContain('First thread');
  });

  it('answers code 190 after a revoke and code 2 on a server fault; denies like Meta', async () => {
    const { access_token } = await connect();
    await h.client.failNext('threads', ALICE, 1);
    const failed = await fetch(withQuery(graph('me'), { access_token }));
    expect(((await failed.json()) as { error: { code: number } }).error.code).toBe(2);
    await h.client.revoke('threads', ALICE);
    const revoked = await fetch(withQuery(graph('me'), { access_token }));
    expect(((await revoked.json()) as { error: { code: number } }).error.code).toBe(190);
    const denied = await denyConsent(withQuery(h.url('threads.net/oauth/authorize'), { client_id: 'sandbox-threads-client', redirect_uri: REDIRECT, response_type: 'code', state: 'd' }));
    expect(new URL(denied).searchParams.get('error_reason')).toBe('user_denied');
  });
});
