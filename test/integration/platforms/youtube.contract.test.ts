import { describe, expect, it } from 'vitest';
import { accountOf, connect, credentialsOf, expectOk, useSandbox } from './contract-harness.js';

const context = useSandbox('youtube');

describe('YouTube adapter against the sandbox', () => {
  it('connects to a channel, refreshes (refresh token kept), refuses posts without a video, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice' });
    expect(tokens.refreshToken).toBeTruthy();
    const channels = expectOk(await adapter.listTargets!(tokens, identity));
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({ kind: 'channel', externalId: identity.externalId });
    const account = accountOf('youtube', identity);
    const credentials = credentialsOf(tokens);

    const first = expectOk(await adapter.refresh(account, credentials));
    expect(first.refreshToken).toBe(tokens.refreshToken);
    const second = expectOk(await adapter.refresh(account, credentialsOf(first)));
    expect(second.accessToken).toBeTruthy();
    const current = credentialsOf(second);

    expect(await adapter.publish(account, current, { text: 'hello', idempotencyKey: 'k', choices: { privacyLevel: 'public' } })).toEqual({
      kind: 'invalid',
      message: 'YouTube needs a video for every post; add one',
    });

    await control.failNext('youtube', identity.externalId, 1, 503);
    expect((await adapter.validate(account, current)).kind).toBe('transient');
    // The token check (tokeninfo) costs no YouTube quota; the Data API's quota answers are rate limits.
    await control.rateLimit('youtube', identity.externalId, 600);
    const limited = await adapter.listTargets!(second, identity);
    expect(limited.kind).toBe('rateLimited');
    await control.clearFaults('youtube', identity.externalId);

    await control.revoke('youtube', identity.externalId);
    expect(await adapter.refresh(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'refresh_token_invalid', message: expect.stringMatching(/YouTube/) });
  });

  it('revokes the grant', async () => {
    const { adapter } = context;
    const { tokens, identity } = await connect(context, { identity: 'bob' });
    const account = accountOf('youtube', identity);
    expect(expectOk(await adapter.revoke(account, credentialsOf(tokens)))).toEqual({ revokedAtPlatform: true });
    expect((await adapter.refresh(account, credentialsOf(tokens))).kind).toBe('reauthRequired');
  });
});
