import { describe, expect, it } from 'vitest';
import { createPkce } from '../../../platforms/oauth.js';
import { accountOf, adapterFor, checkIdempotentPublish, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, REDIRECT_URI, useSandbox } from './contract-harness.js';
import { hostedMedia } from './media-fixtures.js';

const context = useSandbox('facebook');

describe('Facebook adapter against the sandbox', () => {
  it('connects, lists Pages with Page tokens, validates, publishes once per key, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice' });
    expect(tokens.accessTokenLifetimeSec).toBeGreaterThan(0);
    expect(tokens.dataAccessLifetimeSec).toBeGreaterThan(0);
    const pages = expectOk(await adapter.listTargets!(tokens, identity));
    expect(pages.length).toBeGreaterThan(0);
    const page = pages[0]!;
    expect(page.kind).toBe('page');
    expect(page.tokens?.accessToken).toBeTruthy();
    expect(page.tokens?.accessToken).not.toBe(tokens.accessToken);
    expect(page.tokens?.accessTokenLifetimeSec).toBeUndefined();
    const account = accountOf('facebook', page);
    const credentials = credentialsOf(page.tokens!);
    expect(adapter.tokenPolicy(credentials).renewal).toBe('validate');

    const health = expectOk(await adapter.validate(account, credentials));
    expect(health.dataAccessLifetimeSec).toBeGreaterThan(0);
    expect(expectOk(await adapter.refresh(account, credentials)).accessToken).toBe(credentials.accessToken);

    await checkIdempotentPublish(context, 'facebook', account, credentials, { text: `Hello Page ${Date.now()}` });
    const photo = expectOk(await adapter.publish(account, credentials, { text: 'With a photo', media: [await hostedMedia(control, 'mandelbrot.jpg')], idempotencyKey: `photo-${Date.now()}` }));
    expect(photo.externalId).toBeTruthy();

    const { limited, before } = await checkTransientFaults(context, 'facebook', page.externalId, () =>
      adapter.publish(account, credentials, { text: `fault ${Date.now()}`, idempotencyKey: `k-${Date.now()}` }),
    );
    expectResetNear(limited, before + 600_000, 61_000);
    await control.clearFaults('facebook', page.externalId);

    await control.changePassword('facebook', identity.externalId);
    expect(await adapter.validate(account, credentials)).toMatchObject({
      kind: 'reauthRequired',
      code: 'password_changed',
      message: 'Facebook says the password was changed — reconnect to continue',
    });
  });

  it('a removed app is reported specifically; revoke removes the login', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'bob' });
    const page = expectOk(await adapter.listTargets!(tokens, identity))[0]!;
    const account = accountOf('facebook', page);
    const credentials = credentialsOf(page.tokens!);
    expect(expectOk(await adapter.revoke(account, credentials))).toEqual({ revokedAtPlatform: true });
    const after = await adapter.publish(account, credentials, { text: 'after revoke', idempotencyKey: `r-${Date.now()}` });
    expect(after.kind).toBe('reauthRequired');

    const again = await connect(context, { identity: 'carol' });
    const carolPage = expectOk(await adapter.listTargets!(again.tokens, again.identity))[0]!;
    await control.revoke('facebook', again.identity.externalId);
    const revoked = await adapter.validate(accountOf('facebook', carolPage), credentialsOf(carolPage.tokens!));
    expect(revoked.kind).toBe('reauthRequired');
    if (revoked.kind === 'reauthRequired') expect(revoked.message).toMatch(/reconnect/);
  });

  it('a Business app signs in with Facebook Login for Business: config_id instead of scope', async () => {
    const { control } = context;
    await control.configure({ metaLoginConfigs: { facebook: { configId: '5550001112', scopes: ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts'] } } });
    try {
      const adapter = adapterFor(context, 'facebook', { loginConfigIds: { facebook: '5550001112' } });
      const url = new URL(adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: createPkce().challenge }));
      expect(url.searchParams.get('config_id')).toBe('5550001112');
      expect(url.searchParams.get('scope')).toBeNull();
      const { tokens, identity } = await connect(context, { identity: 'alice' }, adapter);
      expect(tokens.scopes).toEqual(['pages_show_list', 'pages_read_engagement', 'pages_manage_posts']);
      const page = expectOk(await adapter.listTargets!(tokens, identity))[0]!;
      expect(expectOk(await adapter.publish(accountOf('facebook', page), credentialsOf(page.tokens!), { text: `Business app ${Date.now()}`, idempotencyKey: `b-${Date.now()}` })).externalId).toBeTruthy();
    } finally {
      await control.configure({ metaLoginConfigs: { facebook: null } });
    }
  });
});
