// Bluesky with an app password: createSession returns access/refresh JWTs (the app password is used
// once and never kept), refreshSession rotates both. The account's PDS is found from its handle
// (handle → DID → DID document), signed in to directly, and kept in meta for every later call.
// Links and mentions are posted as rich-text facets.

import { z } from 'zod';
import { facetsFor } from './bluesky-facets.js';
import { BLUESKY_ENTRYWAY, createIdentityResolver, pdsFromDidDoc } from './bluesky-identity.js';
import { asRecord, asString, classifyByStatus, withDetail } from './errors.js';
import type { HttpResponse, PlatformHttp } from './http.js';
import { invalid, isFailure, ok, rateLimited, reauthRequired } from './outcome.js';
import type { PdsAddressPolicy } from './pds-address.js';
import { checkPost } from './post-rules.js';
import { describeResetAt, rateLimitResetFromHeaders } from './rate-limit.js';
import type { MediaRules } from './media-rules.js';
import { readAll, uploadOnce } from './media-upload.js';
import type { AccountRef, Failure, Identity, IssuedTokens, PlatformAdapter, PostDraft, PostInput, PostRules } from './types.js';

export { BLUESKY_ENTRYWAY, pdsFromDidDoc } from './bluesky-identity.js';
/** `app.bsky.embed.images`: at most 4 images, each a blob of at most 2,000,000 bytes, alt text on each. */
export const BLUESKY_MEDIA: MediaRules = {
  image: { maxCount: 4, types: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'], maxBytes: 2_000_000, maxAltLength: 2_000 },
  mixed: false,
};
const RULES: PostRules = { maxLength: 300, lengthUnit: 'graphemes', media: BLUESKY_MEDIA, requiresBoard: false };

const sessionSchema = z.looseObject({
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  did: z.string().startsWith('did:'),
  handle: z.string().min(1),
  didDoc: z.unknown().optional(),
  active: z.boolean().optional(),
  status: z.string().optional(),
});
const getSessionSchema = z.looseObject({ did: z.string().startsWith('did:'), handle: z.string().min(1), didDoc: z.unknown().optional() });
const profileSchema = z.looseObject({ displayName: z.string().optional(), avatar: z.string().optional() });
const recordSchema = z.looseObject({ uri: z.string().startsWith('at://'), cid: z.string().optional() });
const blobSchema = z.looseObject({ blob: z.looseObject({ $type: z.literal('blob'), ref: z.looseObject({ $link: z.string().min(1) }), mimeType: z.string(), size: z.number() }) });

type Call = 'login' | 'refresh' | 'access';

export function createBlueskyAdapter({ http }: { http: PlatformHttp }, policy: PdsAddressPolicy): PlatformAdapter {
  const name = 'Bluesky';
  const resolver = createIdentityResolver(http, policy);
  const didOf = async (handle: string) => {
    const did = await resolver.didOfHandle(handle);
    return isFailure(did) ? undefined : did;
  };

  const classify = (response: HttpResponse, call: Call): Failure => {
    const body = asRecord(response.body);
    const error = asString(body?.error) ?? '';
    const message = asString(body?.message) ?? '';
    const now = http.now();
    if (response.status === 429 || error === 'RateLimitExceeded') {
      const resetAt = rateLimitResetFromHeaders(response.headers, now, 300);
      return rateLimited(resetAt, `Bluesky is rate-limiting until ${describeResetAt(resetAt, now)}`);
    }
    if (response.status >= 500) return classifyByStatus(response, { platformName: name, now, canRefresh: false });
    if (error === 'AccountTakedown') return reauthRequired('account_suspended', 'Bluesky has taken this account down; it cannot post until Bluesky restores it');
    if (error === 'AccountDeactivated') return reauthRequired('account_deactivated', 'This Bluesky account is deactivated — reactivate it, then reconnect');
    if (call === 'login') {
      if (error === 'AuthFactorTokenRequired') {
        return reauthRequired('two_factor_required', 'Bluesky asked for an email sign-in code; connect with an app password (Settings → Privacy and security → App passwords), which never needs one');
      }
      if (response.status === 401 || error === 'AuthenticationRequired') {
        return reauthRequired('app_password_invalid', 'Bluesky did not accept that handle and app password — check both, or create a new app password');
      }
    }
    if (call === 'refresh' && (error === 'ExpiredToken' || error === 'InvalidToken' || response.status === 401)) {
      return reauthRequired(
        'refresh_token_invalid',
        'Bluesky ended this session (the app password was revoked, the account password changed, or the session is over 90 days old) — reconnect with an app password',
      );
    }
    if (call === 'access') {
      if (error === 'ExpiredToken') return reauthRequired('access_token_expired', 'The Bluesky session token expired; Tether will refresh it');
      if (error === 'InvalidToken' || response.status === 401) {
        return reauthRequired('access_token_rejected', withDetail('Bluesky refused the session token; Tether will refresh it and retry', body));
      }
    }
    if (error === 'InvalidRequest' && message) return invalid(`Bluesky rejected the request (${message.replace(/\.$/, '')})`);
    return classifyByStatus(response, { platformName: name, now, canRefresh: call === 'access' });
  };

  const validate = (post: PostDraft): string[] => checkPost(name, RULES, post);

  /** Each image as a blob on the account's PDS (recorded, so a retry reuses it), in an images embed with alt text and aspect ratio. */
  async function imagesEmbed(account: AccountRef, accessJwt: string, post: PostInput) {
    const images = [];
    for (const media of post.media ?? []) {
      const blob = await uploadOnce(post, media, 'bluesky-blob', async () => {
        const uploaded = await http.json(
          {
            method: 'POST',
            url: xrpc(pds(account), 'com.atproto.repo.uploadBlob'),
            bearer: accessJwt,
            binary: { data: await readAll(media), contentType: media.mimeType },
            timeoutMs: 60_000,
          },
          { schema: blobSchema, classify: (r) => classify(r, 'access'), what: 'the image upload' },
        );
        return uploaded.kind === 'ok' ? ok({ ref: JSON.stringify(uploaded.value.blob) }) : uploaded;
      });
      if (blob.kind !== 'ok') return blob;
      images.push({
        image: JSON.parse(blob.value) as unknown,
        alt: media.alt ?? '',
        ...(media.width && media.height ? { aspectRatio: { width: media.width, height: media.height } } : {}),
      });
    }
    return ok(images.length > 0 ? { embed: { $type: 'app.bsky.embed.images', images } } : {});
  }

  const pds = (account: AccountRef) => account.meta?.pdsUrl ?? BLUESKY_ENTRYWAY;
  const xrpc = (base: string, method: string) => `${base.replace(/\/$/, '')}/xrpc/${method}`;

  const issued = (session: { accessJwt: string; refreshJwt: string }): IssuedTokens => ({
    accessToken: session.accessJwt,
    refreshToken: session.refreshJwt,
    accessTokenLifetimeSec: jwtLifetimeSec(session.accessJwt, http.now()),
    refreshTokenLifetimeSec: jwtLifetimeSec(session.refreshJwt, http.now()),
  });

  async function profile(base: string, did: string, accessJwt: string) {
    const result = await http.json(
      { method: 'GET', url: xrpc(base, 'app.bsky.actor.getProfile'), query: { actor: did }, bearer: accessJwt },
      { schema: profileSchema, classify: (r) => classify(r, 'access'), what: 'the profile request' },
    );
    return result.kind === 'ok' ? result.value : {};
  }

  async function toIdentity(session: { did: string; handle: string; didDoc?: unknown }, accessJwt: string, pdsUrl: string): Promise<Identity> {
    // Display name and avatar are nice to have; a failed profile lookup must not fail the connect.
    const details = await profile(pdsUrl, session.did, accessJwt);
    return {
      externalId: session.did,
      handle: session.handle,
      displayName: details.displayName || session.handle,
      avatarUrl: details.avatar,
      meta: { pdsUrl },
    };
  }

  return {
    id: 'bluesky',
    displayName: name,
    connect: 'appPassword',
    usesPkce: false,
    hasTargetChoice: false,

    tokenPolicy: () => ({ renewal: 'rotatingRefresh' }),
    postRules: () => RULES,
    validatePost: (post) => validate(post),

    authorizationUrl() {
      throw new Error('Bluesky connects with a handle and an app password, not an authorization URL');
    },
    exchangeCode: async () => invalid('Bluesky connects with a handle and an app password, not an authorization code'),

    async createSession({ identifier, appPassword }) {
      const login = identifier.trim().replace(/^@/, '');
      // An email address cannot be resolved; only the entryway knows whose it is.
      const located = login.includes('@') ? ok({ did: undefined, pdsUrl: BLUESKY_ENTRYWAY }) : await resolver.locate(login.toLowerCase());
      if (located.kind !== 'ok') return located;
      const result = await http.json(
        { method: 'POST', url: xrpc(located.value.pdsUrl, 'com.atproto.server.createSession'), json: { identifier: login, password: appPassword } },
        { schema: sessionSchema, classify: (r) => classify(r, 'login'), what: 'the sign-in' },
      );
      if (result.kind !== 'ok') return result;
      const session = result.value;
      if (located.value.did && session.did !== located.value.did) return invalid(`${name} signed in a different account (${session.did}) than ${login} names`);
      if (session.active === false) {
        return reauthRequired('account_deactivated', `This Bluesky account is ${session.status ?? 'not active'} and cannot post`);
      }
      const pdsUrl = located.value.did ? located.value.pdsUrl : (pdsFromDidDoc(session.didDoc) ?? BLUESKY_ENTRYWAY);
      return ok({ tokens: issued(session), identity: await toIdentity(session, session.accessJwt, pdsUrl) });
    },

    async identity(tokens) {
      // The access JWT's audience is its PDS (did:web:<host>).
      const pdsUrl = pdsOfJwt(tokens.accessToken) ?? BLUESKY_ENTRYWAY;
      const result = await http.json(
        { method: 'GET', url: xrpc(pdsUrl, 'com.atproto.server.getSession'), bearer: tokens.accessToken },
        { schema: getSessionSchema, classify: (r) => classify(r, 'access'), what: 'the session check' },
      );
      if (result.kind !== 'ok') return result;
      return ok(await toIdentity(result.value, tokens.accessToken, pdsUrl));
    },

    async refresh(account, credentials) {
      if (!credentials.refreshToken) return reauthRequired('refresh_unavailable', 'No Bluesky session to renew — reconnect with an app password');
      const result = await http.json(
        { method: 'POST', url: xrpc(pds(account), 'com.atproto.server.refreshSession'), bearer: credentials.refreshToken },
        { schema: sessionSchema, classify: (r) => classify(r, 'refresh'), what: 'the session refresh' },
      );
      return result.kind === 'ok' ? ok(issued(result.value)) : result;
    },

    async validate(account, credentials) {
      const result = await http.json(
        { method: 'GET', url: xrpc(pds(account), 'com.atproto.server.getSession'), bearer: credentials.accessToken },
        { schema: getSessionSchema, classify: (r) => classify(r, 'access'), what: 'the session check' },
      );
      return result.kind === 'ok' ? ok({}) : result;
    },

    async revoke(account, credentials) {
      if (!credentials.refreshToken) return ok({ revokedAtPlatform: false });
      const result = await http.expectSuccess(
        { method: 'POST', url: xrpc(pds(account), 'com.atproto.server.deleteSession'), bearer: credentials.refreshToken },
        (r) => classify(r, 'refresh'),
      );
      return result.kind === 'ok' ? ok({ revokedAtPlatform: true }) : result;
    },

    async publish(account, credentials, post) {
      const problems = validate(post);
      if (problems.length > 0) return invalid(problems.join('; '));
      const facets = await facetsFor(post.text, didOf);
      const embed = await imagesEmbed(account, credentials.accessToken, post);
      if (embed.kind !== 'ok') return embed;
      const result = await http.json(
        {
          method: 'POST',
          url: xrpc(pds(account), 'com.atproto.repo.createRecord'),
          bearer: credentials.accessToken,
          idempotencyKey: post.idempotencyKey,
          json: {
            repo: account.externalId,
            collection: 'app.bsky.feed.post',
            record: {
              $type: 'app.bsky.feed.post',
              text: post.text,
              createdAt: http.now().toISOString(),
              ...(facets.length > 0 ? { facets } : {}),
              ...embed.value,
            },
          },
        },
        { schema: recordSchema, classify: (r) => classify(r, 'access'), what: 'the post' },
      );
      if (result.kind !== 'ok') return result;
      const rkey = result.value.uri.split('/').pop() ?? '';
      return ok({ externalId: result.value.uri, url: `https://bsky.app/profile/${account.handle}/post/${rkey}` });
    },
  };
}

function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    return asRecord(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
}

/** Lifetime from the JWT's own claims (exp − iat, or exp − now); undefined for opaque tokens. */
export function jwtLifetimeSec(token: string, now: Date): number | undefined {
  const claims = jwtClaims(token);
  const exp = claims?.exp;
  if (typeof exp !== 'number') return undefined;
  const from = typeof claims?.iat === 'number' ? claims.iat : Math.floor(now.getTime() / 1000);
  return exp > from ? exp - from : undefined;
}

/** The PDS an access JWT is for: its audience `did:web:<host>`. */
function pdsOfJwt(token: string): string | undefined {
  const aud = asString(jwtClaims(token)?.aud);
  return aud?.startsWith('did:web:') ? `https://${aud.slice('did:web:'.length)}` : undefined;
}
