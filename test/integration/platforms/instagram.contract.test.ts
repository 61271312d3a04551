import { beforeAll, describe, expect, it } from 'vitest';
import type { MediaFile } from '../../../platforms/types.js';
import { accountOf, checkIdempotentPublish, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, useSandbox } from './contract-harness.js';
import { hostedMedia } from './media-fixtures.js';

const context = useSandbox('instagram', { instagramContainerPoll: { intervalMs: 20, attempts: 4 } });
let IMAGE: MediaFile;
beforeAll(async () => {
  IMAGE = await hostedMedia(context.control, 'mandelbrot.jpg');
});

describe('Instagram (via Facebook Login) adapter against the sandbox', () => {
  it('connects one Instagram account per linked Page on the user token, publishes once the container is FINISHED, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice' });
    const targets = expectOk(await adapter.listTargets!(tokens, identity));
    expect(targets.length).toBeGreaterThan(0);
    const ig = targets[0]!;
    expect(ig.kind).toBe('instagram');
    expect(ig.meta?.pageId).toBeTruthy();
    expect(new Set(targets.map((t) => t.meta?.pageId)).size).toBe(targets.length);
    // Content publishing takes the app user's User access token, which lives about 60 days.
    expect(ig.tokens?.accessToken).toBe(tokens.accessToken);
    expect(ig.tokens?.accessTokenLifetimeSec).toBeGreaterThan(50 * 86_400);
    const account = accountOf('instagram', ig);
    const credentials = credentialsOf(ig.tokens!);
    expect(adapter.tokenPolicy(credentials)).toEqual({ renewal: 'exchange', minTokenAgeSec: 86_400, check: 'inspect' });
    expect(expectOk(await adapter.validate(account, credentials)).dataAccessLifetimeSec).toBeGreaterThan(0);

    const textOnly = await adapter.publish(account, credentials, { text: 'no image', idempotencyKey: `n-${Date.now()}` });
    expect(textOnly).toMatchObject({ kind: 'invalid', message: expect.stringContaining('image') });

    const before = await control.counters({ platform: 'instagram' });
    await checkIdempotentPublish(context, 'instagram', account, credentials, { text: `Caption ${Date.now()}`, media: [IMAGE] });
    const after = await control.counters({ platform: 'instagram' });
    // The container's status was read before media_publish (IN_PROGRESS, then FINISHED).
    expect((after.calls['GET graph.facebook.com/:id'] ?? 0) - (before.calls['GET graph.facebook.com/:id'] ?? 0)).toBeGreaterThanOrEqual(2);

    const { limited, before: limitedAt } = await checkTransientFaults(context, 'instagram', ig.externalId, () =>
      adapter.publish(account, credentials, { text: `fault ${Date.now()}`, media: [IMAGE], idempotencyKey: `k-${Date.now()}` }),
    );
    expectResetNear(limited, limitedAt + 600_000, 61_000);
    await control.clearFaults('instagram', ig.externalId);

    // Renewal exchanges the user token for a fresh long-lived one.
    const renewed = expectOk(await adapter.refresh(account, credentials));
    expect(renewed.accessToken).not.toBe(credentials.accessToken);
    expect(renewed.accessTokenLifetimeSec).toBeGreaterThan(50 * 86_400);

    await control.removeApp('instagram', identity.externalId);
    expect(await adapter.validate(account, credentials)).toMatchObject({ kind: 'reauthRequired', code: 'app_removed', message: expect.stringMatching(/removed Tether/) });
  });

  it('reports a container that failed or expired as a clear failure, and one still processing as transient', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'bob' });
    const ig = expectOk(await adapter.listTargets!(tokens, identity))[0]!;
    const publish = () => adapter.publish(accountOf('instagram', ig), credentialsOf(ig.tokens!), { text: `c ${Math.random()}`, media: [IMAGE], idempotencyKey: `s-${Math.random()}` });

    await control.configure({ instagramContainerStatuses: ['IN_PROGRESS', 'ERROR'] });
    expect(await publish()).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/Instagram could not process the media.*could not be fetched/) });
    await control.configure({ instagramContainerStatuses: ['EXPIRED'] });
    expect(await publish()).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/upload expire/) });
    await control.configure({ instagramContainerStatuses: ['IN_PROGRESS'] });
    expect(await publish()).toMatchObject({ kind: 'transient', message: expect.stringMatching(/still processing/) });
    await control.configure({ instagramContainerStatuses: ['IN_PROGRESS', 'FINISHED'] });
    expect((await control.posts({ platform: 'instagram', externalId: ig.externalId })).length).toBe(0);
  });

  it('an account connected with a Page token (before this change) is told to reconnect', async () => {
    const { adapter } = context;
    const { tokens, identity } = await connect(context, { identity: 'carol' });
    const pageToken = await fetch(`${context.sandbox.url}/graph.facebook.com/v25.0/me/accounts?fields=id,access_token&access_token=${tokens.accessToken}`);
    const page = ((await pageToken.json()) as { data: { id: string; access_token: string }[] }).data[0]!;
    const ig = expectOk(await adapter.listTargets!(tokens, identity)).find((t) => t.meta?.pageId === page.id)!;
    const old = credentialsOf({ accessToken: page.access_token });
    expect(adapter.tokenPolicy(old)).toEqual({ renewal: 'validate' });
    expect(await adapter.publish(accountOf('instagram', ig), old, { text: 'old token', media: [IMAGE], idempotencyKey: `p-${Date.now()}` })).toMatchObject({
      kind: 'reauthRequired',
      code: 'permission_missing',
    });
  });
});
