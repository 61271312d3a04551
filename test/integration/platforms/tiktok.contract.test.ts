import { beforeAll, describe, expect, it } from 'vitest';
import { createPkce } from '../../../platforms/oauth.js';
import type { MediaFile } from '../../../platforms/types.js';
import { approveConsent } from '../../../sandbox/client.js';
import { accountOf, adapterFor, checkIdempotentPublish, checkRotation, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, REDIRECT_URI, useSandbox } from './contract-harness.js';
import { hostedMedia } from './media-fixtures.js';

/** The sandbox's stand-in web server, where the tests' media live, is verified for the TikTok app. */
const VERIFIED = '127.0.0.1';
const context = useSandbox('tiktok', { tiktok: { audited: false, verifiedDomains: [VERIFIED] } });
let IMAGE: MediaFile;
const ONLY_ME = { privacyLevel: 'SELF_ONLY', musicConsent: true, autoAddMusic: false };
beforeAll(async () => {
  await context.control.configure({ tiktokVerifiedDomains: [VERIFIED] });
  IMAGE = await hostedMedia(context.control, 'sample-photo.jpg');
});

describe('TikTok adapter against the sandbox', () => {
  it('asks for user.info.profile so the handle is the TikTok username', async () => {
    const { adapter } = context;
    const scopes = new URL(adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: createPkce().challenge })).searchParams.get('scope');
    expect(scopes?.split(',')).toContain('user.info.profile');
    const { identity } = await connect(context, { identity: 'alice.tok' });
    expect(identity).toMatchObject({ externalId: '-000ALICEopenid1AbCdEfGh', handle: 'alice.tok', displayName: 'Alice Archer' });
  });

  it('still connects when the person grants only user.info.basic, named by display name', async () => {
    const { adapter } = context;
    const pkce = createPkce();
    const url = new URL(adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge }));
    url.searchParams.set('scope', 'user.info.basic,video.publish');
    const code = new URL(await approveConsent(url.toString(), { identity: 'carol.tok' })).searchParams.get('code')!;
    const tokens = expectOk(await adapter.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier }));
    expect(expectOk(await adapter.identity(tokens))).toMatchObject({ externalId: '-000CAROLopenid3AbCdEfGh', handle: 'Carol Chen' });
  });

  it('connects, rotates refresh tokens, publishes a photo once per key, refuses text-only posts, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice.tok' });
    expect(tokens.refreshTokenLifetimeSec).toBeGreaterThan(0);
    const account = accountOf('tiktok', identity);
    const current = await checkRotation(context, 'tiktok', account, credentialsOf(tokens));

    expect(await adapter.publish(account, current, { text: 'text only', idempotencyKey: 't', choices: ONLY_ME })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('TikTok') });
    await checkIdempotentPublish(context, 'tiktok', account, current, { text: `Photo ${Date.now()}`, media: [IMAGE], choices: ONLY_ME });

    const { limited, before } = await checkTransientFaults(context, 'tiktok', identity.externalId, () => adapter.validate(account, current));
    expectResetNear(limited, before + 60_000);
    await control.clearFaults('tiktok', identity.externalId);

    await control.removeApp('tiktok', identity.externalId);
    expect(await adapter.validate(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'access_token_rejected' });
    expect(await adapter.refresh(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'refresh_token_invalid', message: expect.stringMatching(/TikTok/) });
  });

  it('the person chooses the privacy level from creator_info and agrees to the Music Usage Confirmation; Tether picks neither', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice.tok' });
    const account = accountOf('tiktok', identity);
    const credentials = credentialsOf(tokens);

    const offered = expectOk(await adapter.postChoices!(account, credentials));
    expect(offered.privacyLevels).toEqual([{ value: 'SELF_ONLY', label: 'Only me' }]);
    expect(offered.reason).toMatch(/TikTok requires/);
    expect(offered.notes.join(' ')).toMatch(/not passed TikTok.s audit/);
    expect(offered.consent?.label).toMatch(/Music Usage Confirmation/);

    const noChoice = adapter.validatePost({ text: 'Sunset', media: [IMAGE] }, {});
    expect(noChoice).toEqual([
      'TikTok requires you to choose who can see this post',
      'TikTok requires you to agree to its Music Usage Confirmation before posting',
    ]);
    const before = (await control.posts({ platform: 'tiktok' })).length;
    expect(await adapter.publish(account, credentials, { text: 'Sunset', media: [IMAGE], idempotencyKey: `c-${Date.now()}` })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('choose who can see') });
    expect(adapter.validatePost({ text: 'Sunset', media: [IMAGE], choices: { ...ONLY_ME, privacyLevel: 'PUBLIC_TO_EVERYONE' } }, {})).toEqual([
      "This installation's TikTok app has not passed TikTok's audit, so TikTok accepts only private posts (Only me)",
    ]);

    const published = expectOk(await adapter.publish(account, credentials, { text: `Chosen ${Date.now()}`, media: [IMAGE], idempotencyKey: `m-${Date.now()}`, choices: { ...ONLY_ME, autoAddMusic: true } }));
    const posts = await control.posts({ platform: 'tiktok' });
    expect(posts.length).toBe(before + 1);
    expect(posts.find((p) => published.url.length > 0 && p.text.startsWith('Chosen'))?.options).toMatchObject({ privacy_level: 'SELF_ONLY', auto_add_music: true });
  });

  it('pulls photos only from verified domains: an image elsewhere is refused before anything is sent', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice.tok' });
    const post = { text: 'Elsewhere', media: [{ ...IMAGE, url: 'https://photos.example.org/b.jpg' }], choices: ONLY_ME };
    expect(adapter.validatePost(post, {})).toEqual([
      `TikTok takes photos only from domains verified for this installation's TikTok app (${VERIFIED}), and Tether serves media from photos.example.org; post a video, or verify photos.example.org`,
    ]);
    const calls = (await control.counters({ platform: 'tiktok' })).calls['POST open.tiktokapis.com/v2/post/publish/content/init/'] ?? 0;
    expect(await adapter.publish(accountOf('tiktok', identity), credentialsOf(tokens), { ...post, idempotencyKey: `d-${Date.now()}` })).toMatchObject({ kind: 'invalid' });
    expect((await control.counters({ platform: 'tiktok' })).calls['POST open.tiktokapis.com/v2/post/publish/content/init/'] ?? 0).toBe(calls);
  });

  it('an audited app posts publicly, and a level the creator no longer offers is refused with the ones offered', async () => {
    const { control } = context;
    await control.configure({ tiktokAudited: true });
    try {
      const adapter = adapterFor(context, 'tiktok', { tiktok: { audited: true, verifiedDomains: [VERIFIED] } });
      const { tokens, identity } = await connect(context, { identity: 'bob.tok' }, adapter);
      const account = accountOf('tiktok', identity);
      const credentials = credentialsOf(tokens);
      expect(expectOk(await adapter.postChoices!(account, credentials)).privacyLevels.map((l) => l.value)).toEqual(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
      expect(expectOk(await adapter.publish(account, credentials, { text: 'For everyone', media: [IMAGE], idempotencyKey: `p-${Date.now()}`, choices: { ...ONLY_ME, privacyLevel: 'PUBLIC_TO_EVERYONE' } })).externalId).toBeTruthy();
      expect(await adapter.publish(account, credentials, { text: 'Followers', media: [IMAGE], idempotencyKey: `f-${Date.now()}`, choices: { ...ONLY_ME, privacyLevel: 'FOLLOWER_OF_CREATOR' } })).toMatchObject({
        kind: 'invalid',
        message: expect.stringMatching(/no longer offers "Followers".*Everyone, Friends, Only me/),
      });
    } finally {
      await control.configure({ tiktokAudited: false });
    }
  });

  it('revokes its token', async () => {
    const { adapter } = context;
    const { tokens, identity } = await connect(context, { identity: 'bob.tok' });
    const account = accountOf('tiktok', identity);
    expect(expectOk(await adapter.revoke(account, credentialsOf(tokens)))).toEqual({ revokedAtPlatform: true });
    expect((await adapter.validate(account, credentialsOf(tokens))).kind).toBe('reauthRequired');
  });
});
