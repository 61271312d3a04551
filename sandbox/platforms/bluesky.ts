// Bluesky (atproto, app-password sessions): createSession, rotating refreshSession, posts with
// rich-text facets. Accounts live on a PDS: the bsky.social entryway serves those on Bluesky's own
// PDSes; a self-hosted PDS serves only its own. Identity resolution as the atproto specs define it:
// handle → DID (`/.well-known/atproto-did` on the handle's host, or resolveHandle), DID → DID
// document (plc.directory, or did:web's `/.well-known/did.json`) → PDS endpoint.

import { createHmac, randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { authenticate, baseUrl, bearer, body, handler, idempotencyKey, queryParam, applyFaults, endpointName, tokenEndpointLimited, type PlatformErrors } from '../core/http.js';
import type { Grant, SandboxIdentity } from '../core/model.js';
import { issueAccess, issueRefresh, redeemRefresh } from '../core/oauth.js';
import { mountPostPage, publish } from '../core/publish.js';
import { lifetime } from '../core/settings.js';
import type { SandboxState } from '../core/state.js';
import { BLUESKY_MEDIA } from '../../platforms/bluesky.js';
import { checkBytes, findMedia, storeMedia, type SandboxMedia } from '../core/media.js';

/** `app.bsky.embed.images`: at most 4 images, each an uploaded blob of this account of at most 2,000,000 bytes, each with alt text. */
function embeddedImages(state: SandboxState, did: string, embed: unknown): { ok: true; images: { media: SandboxMedia; alt: string }[] } | { ok: false; problem: string } {
  if (embed === undefined) return { ok: true, images: [] };
  const value = embed as { $type?: unknown; images?: unknown };
  if (value.$type !== 'app.bsky.embed.images' || !Array.isArray(value.images)) return { ok: false, problem: 'Record/embed must be app.bsky.embed.images with images' };
  if (value.images.length > 4) return { ok: false, problem: 'Record/embed/images must not have more than 4 elements' };
  const images = [];
  for (const [i, item] of (value.images as { image?: { ref?: { $link?: unknown }; size?: unknown }; alt?: unknown }[]).entries()) {
    const link = item.image?.ref?.$link;
    const media = typeof link === 'string' ? findMedia(state, state.bag<string>('bluesky-blobs').get(link)) : undefined;
    if (!media || media.ownerId !== did) return { ok: false, problem: `Record/embed/images/${i}/image must be a blob uploaded by this account` };
    if (!media.mimeType.startsWith('image/')) return { ok: false, problem: `Record/embed/images/${i}/image mimeType ${media.mimeType} is not accepted (image/*)` };
    if (media.bytes.length > BLUESKY_MEDIA.image!.maxBytes) {
      return { ok: false, problem: `Record/embed/images/${i}/image size ${media.bytes.length} is greater than maximum ${BLUESKY_MEDIA.image!.maxBytes}` };
    }
    if (typeof item.alt !== 'string') return { ok: false, problem: `Record/embed/images/${i} must have the property "alt"` };
    images.push({ media, alt: item.alt });
  }
  return { ok: true, images };
}

const ENTRYWAY = 'https://bsky.social';
/** The PDSes the sandbox runs: the entryway, a Bluesky-run PDS shard, a self-hosted PDS. */
export const SANDBOX_PDS_URLS = [ENTRYWAY, 'https://morel.us-east.host.bsky.network', 'https://pds.example.net'];

const homeOf = (identity: SandboxIdentity) => identity.pdsUrl ?? ENTRYWAY;

/** A PDS holds its own accounts; the entryway also signs in accounts of Bluesky's own PDSes (*.host.bsky.network). */
function serves(pdsUrl: string, identity: SandboxIdentity): boolean {
  const home = homeOf(identity);
  return home === pdsUrl || (pdsUrl === ENTRYWAY && new URL(home).hostname.endsWith('.host.bsky.network'));
}

function xrpcError(res: Response, status: number, error: string, message: string, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).json({ error, message });
}

export const blueskyErrors: PlatformErrors = {
  unauthorized: (res, reason) => {
    if (reason === 'missing') xrpcError(res, 401, 'AuthMissing', 'Authentication Required');
    else if (reason === 'expired') xrpcError(res, 400, 'ExpiredToken', 'Token has expired');
    else xrpcError(res, 400, 'InvalidToken', 'Token could not be verified');
  },
  serverError: (res, status = 502) =>
    status === 502 ? xrpcError(res, 502, 'UpstreamFailure', 'Upstream Failure') : xrpcError(res, status, 'InternalServerError', 'Internal Server Error'),
  rateLimited: (res, resetAt) =>
    xrpcError(res, 429, 'RateLimitExceeded', 'Rate Limit Exceeded', {
      'RateLimit-Limit': '3000',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(Math.ceil(resetAt / 1000)),
      'RateLimit-Policy': '3000;w=300',
    }),
  badRequest: (res, message) => xrpcError(res, 400, 'InvalidRequest', message),
  notFound: (res) => xrpcError(res, 501, 'MethodNotImplemented', 'Method Not Implemented'),
};
const errors = () => blueskyErrors;

const SIGNING_KEY = randomBytes(32);

function jwt(payload: Record<string, unknown>): string {
  const enc = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = enc({ typ: payload.scope === 'com.atproto.refresh' ? 'refresh+jwt' : 'at+jwt', alg: 'HS256' });
  const claims = enc(payload);
  return `${head}.${claims}.${createHmac('sha256', SIGNING_KEY).update(`${head}.${claims}`).digest('base64url')}`;
}

const S32 = '234567abcdefghijklmnopqrstuvwxyz';

/** atproto TID: 53-bit microsecond timestamp + 10-bit clock id, base32-sortable, 13 chars. */
function tid(nowMs: number): string {
  let value = (BigInt(nowMs) * 1000n + BigInt(Math.floor(Math.random() * 1000))) * 1024n + BigInt(Math.floor(Math.random() * 1024));
  let out = '';
  for (let i = 0; i < 13; i += 1) {
    out = S32[Number(value % 32n)] + out;
    value /= 32n;
  }
  return out;
}

function cid(prefix = 'bafyrei'): string {
  return prefix + [...randomBytes(52)].map((b) => S32[b % 32]).join('');
}

function didDoc(identity: SandboxIdentity) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: identity.id,
    alsoKnownAs: [`at://${identity.handle}`],
    verificationMethod: [],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: homeOf(identity) }],
  };
}

/** Facets as the lexicon defines them: UTF-8 byte ranges inside the text, each with link, mention or tag features. */
function facetProblem(text: string, facets: unknown): string | undefined {
  if (facets === undefined) return undefined;
  if (!Array.isArray(facets)) return 'Record/facets must be an array';
  const bytes = Buffer.byteLength(text, 'utf8');
  for (const [i, facet] of facets.entries()) {
    const index = (facet as { index?: { byteStart?: unknown; byteEnd?: unknown } }).index;
    const start = index?.byteStart;
    const end = index?.byteEnd;
    if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 0 || (end as number) > bytes || (start as number) >= (end as number)) {
      return `Record/facets/${i}/index must be a byte range inside the text (0 to ${bytes})`;
    }
    const features = (facet as { features?: unknown }).features;
    if (!Array.isArray(features) || features.length === 0) return `Record/facets/${i}/features must not be empty`;
    for (const feature of features as Record<string, unknown>[]) {
      const type = feature.$type;
      if (type === 'app.bsky.richtext.facet#link' && !(typeof feature.uri === 'string' && URL.canParse(feature.uri))) return `Record/facets/${i}/features/uri must be a URI`;
      if (type === 'app.bsky.richtext.facet#mention' && !(typeof feature.did === 'string' && feature.did.startsWith('did:'))) return `Record/facets/${i}/features/did must be a DID`;
      if (type === 'app.bsky.richtext.facet#tag' && typeof feature.tag !== 'string') return `Record/facets/${i}/features/tag must be a string`;
      if (!['app.bsky.richtext.facet#link', 'app.bsky.richtext.facet#mention', 'app.bsky.richtext.facet#tag'].includes(String(type))) {
        return `Record/facets/${i}/features has an unknown $type`;
      }
    }
  }
  return undefined;
}

function issueSession(state: SandboxState, grant: Grant) {
  const now = state.clock.nowSec();
  const identity = state.identity('bluesky', grant.userId);
  const audience = `did:web:${new URL(identity ? homeOf(identity) : ENTRYWAY).hostname}`;
  const accessSec = lifetime(state.settings, 'bluesky', 'accessTokenSec') ?? 7200;
  const refreshSec = lifetime(state.settings, 'bluesky', 'refreshTokenSec') ?? 90 * 86_400;
  const access = issueAccess(state, grant, {
    value: () => jwt({ scope: 'com.atproto.appPass', sub: grant.userId, aud: audience, iat: now, exp: now + accessSec, jti: randomBytes(16).toString('base64url') }),
  });
  const refresh = issueRefresh(state, grant, {
    value: () => jwt({ scope: 'com.atproto.refresh', sub: grant.userId, aud: audience, jti: randomBytes(24).toString('base64url'), iat: now, exp: now + refreshSec }),
  });
  return { access, refresh };
}

export function mountBluesky(context: PlatformContext): void {
  const { state, hosts } = context;
  for (const pdsUrl of SANDBOX_PDS_URLS) mountPds(context, pdsUrl);
  const app = hosts.router('bsky.app', blueskyErrors);
  const plc = hosts.router('plc.directory', blueskyErrors);

  plc.get('/:did', (req, res) => {
    const did = String(req.params.did ?? '');
    const identity = did.startsWith('did:plc:') ? state.identity('bluesky', did) : undefined;
    if (!identity || identity.id !== did) res.status(404).json({ message: `DID not registered: ${did}` });
    else res.json(didDoc(identity));
  });

  const byHandle = (host: string) => state.identitiesOf('bluesky').find((i) => i.handle.toLowerCase() === host.toLowerCase());
  hosts.anyHost('/.well-known/atproto-did', (host, _req, res) => {
    const identity = byHandle(host);
    if (!identity || identity.handleMethod === 'dns') res.status(404).type('text/plain').send('not found');
    else res.type('text/plain').send(identity.id);
  });
  hosts.anyHost('/.well-known/did.json', (host, _req, res) => {
    const identity = state.identity('bluesky', `did:web:${host}`);
    if (!identity) res.status(404).json({ message: 'not found' });
    else res.json(didDoc(identity));
  });

  mountPostPage(app, '/profile/:handle/post/:rkey', state, 'bluesky', (p) => {
    const did = state.identity('bluesky', p.handle ?? '')?.id ?? p.handle ?? '';
    return `at://${did}/app.bsky.feed.post/${p.rkey ?? ''}`;
  });
}

/** One PDS's XRPC methods; it refuses accounts (and their tokens) it does not serve. */
function mountPds({ state, hosts }: PlatformContext, pdsUrl: string): void {
  const pds = hosts.router(new URL(pdsUrl).host, blueskyErrors);
  const x = (method: string) => `/xrpc/${method}`;
  const notHere = (res: Response) => xrpcError(res, 400, 'InvalidToken', 'Token could not be verified');

  const sessionBody = (identity: SandboxIdentity, accessJwt: string, refreshJwt: string) => ({
    accessJwt,
    refreshJwt,
    handle: identity.handle,
    did: identity.id,
    didDoc: didDoc(identity),
    email: identity.email,
    emailConfirmed: true,
    emailAuthFactor: false,
    active: true,
  });

  pds.post(
    x('com.atproto.server.createSession'),
    handler(blueskyErrors, async (req, res) => {
      if (tokenEndpointLimited(state, 'bluesky', blueskyErrors, res)) return;
      const input = body(req);
      const identifier = typeof input.identifier === 'string' ? input.identifier.trim() : '';
      const password = typeof input.password === 'string' ? input.password : '';
      if (!identifier || !password) {
        state.counters.call('bluesky', [], endpointName(req));
        xrpcError(res, 400, 'InvalidRequest', `Input must have the property "${identifier ? 'password' : 'identifier'}"`);
        return;
      }
      const identity = state.identitiesOf('bluesky').find((i) => [i.id, i.handle.toLowerCase(), i.email?.toLowerCase()].includes(identifier.toLowerCase()));
      const ids = identity ? [identity.id] : [];
      state.counters.call('bluesky', ids, endpointName(req));
      if (identity && (await applyFaults(state, 'bluesky', ids, blueskyErrors, res))) return;
      if (!identity || !(identity.appPasswords ?? []).includes(password) || !serves(pdsUrl, identity)) {
        xrpcError(res, 401, 'AuthenticationRequired', 'Invalid identifier or password');
        return;
      }
      const grant = state.tokens.createGrant({ platform: 'bluesky', clientId: 'app-password', userId: identity.id, scopes: ['com.atproto.appPass'], offline: true });
      const { access, refresh } = issueSession(state, grant);
      res.json(sessionBody(identity, access.value, refresh.value));
    }),
  );

  pds.post(
    x('com.atproto.server.refreshSession'),
    handler(blueskyErrors, async (req, res) => {
      if (tokenEndpointLimited(state, 'bluesky', blueskyErrors, res)) return;
      const value = bearer(req);
      if (!value) {
        state.counters.call('bluesky', [], endpointName(req));
        xrpcError(res, 401, 'AuthMissing', 'Authentication Required');
        return;
      }
      const presented = state.tokens.find(value);
      const owner = presented?.platform === 'bluesky' ? state.identity('bluesky', presented.userId) : undefined;
      if (owner && !serves(pdsUrl, owner)) {
        state.counters.call('bluesky', [owner.id], endpointName(req));
        notHere(res);
        return;
      }
      const refreshed = await redeemRefresh(state, req, res, {
        platforms: ['bluesky'],
        errors,
        value,
        rotate: true,
        graceSec: state.settings.blueskyRefreshGraceSec,
        onProblem: (problem) => {
          if (problem === 'unknown') {
            xrpcError(res, 400, 'InvalidToken', presented?.kind === 'access' ? 'Bad token scope' : 'Token could not be verified');
          } else if (problem === 'expired') xrpcError(res, 400, 'ExpiredToken', 'Token has expired');
          else xrpcError(res, 400, 'ExpiredToken', 'Token has been revoked');
        },
      });
      if (!refreshed) return;
      const identity = state.identity('bluesky', refreshed.grant.userId);
      if (!identity) {
        xrpcError(res, 400, 'InvalidToken', 'Token could not be verified');
        return;
      }
      const { access, refresh } = issueSession(state, refreshed.grant);
      res.json({ ...sessionBody(identity, access.value, refresh.value), email: undefined, emailConfirmed: undefined, emailAuthFactor: undefined });
    }),
  );

  pds.post(
    x('com.atproto.server.deleteSession'),
    handler(blueskyErrors, (req, res) => {
      const token = state.tokens.find(bearer(req));
      if (!token || token.platform !== 'bluesky' || token.kind !== 'refresh') {
        xrpcError(res, 400, 'InvalidToken', 'Token could not be verified');
        return;
      }
      state.tokens.revokeToken(token, 'loggedOut');
      res.status(200).end();
    }),
  );

  const auth = async (req: Request, res: Response) => {
    const a = await authenticate(state, req, res, { platforms: ['bluesky'], errors });
    if (a && !serves(pdsUrl, a.identity)) {
      notHere(res);
      return undefined;
    }
    return a;
  };

  pds.get(
    x('com.atproto.server.getSession'),
    handler(blueskyErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      res.json({ handle: a.identity.handle, did: a.identity.id, email: a.identity.email, emailConfirmed: true, emailAuthFactor: false, didDoc: didDoc(a.identity), active: true });
    }),
  );

  pds.get(
    x('com.atproto.identity.resolveHandle'),
    handler(blueskyErrors, (req, res) => {
      const identity = state.identity('bluesky', queryParam(req, 'handle') ?? '');
      if (!identity) xrpcError(res, 400, 'InvalidRequest', 'Unable to resolve handle');
      else res.json({ did: identity.id });
    }),
  );

  pds.get(
    x('app.bsky.actor.getProfile'),
    handler(blueskyErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const actor = queryParam(req, 'actor');
      if (!actor) {
        xrpcError(res, 400, 'InvalidRequest', 'Error: Params must have the property "actor"');
        return;
      }
      const identity = state.identity('bluesky', actor);
      if (!identity) {
        xrpcError(res, 400, 'InvalidRequest', 'Profile not found');
        return;
      }
      const base = baseUrl(state, req);
      res.json({
        did: identity.id,
        handle: identity.handle,
        displayName: identity.displayName,
        avatar: `${base}${identity.avatarPath}`,
        description: 'Sandbox Bluesky account',
        followersCount: 12,
        followsCount: 34,
        postsCount: state.posts.posts.filter((p) => p.platform === 'bluesky' && p.authorId === identity.id).length,
        indexedAt: '2024-01-01T00:00:00.000Z',
        createdAt: '2023-06-01T00:00:00.000Z',
      });
    }),
  );

  pds.post(
    x('com.atproto.repo.uploadBlob'),
    express.raw({ type: () => true, limit: '5mb' }),
    handler(blueskyErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const checked = await checkBytes(bytes, { types: [...BLUESKY_MEDIA.image!.types, 'video/mp4'], maxBytes: 5 * 1024 * 1024 });
      if (!checked.ok) {
        xrpcError(res, 400, checked.problem === 'tooLarge' ? 'BlobTooLarge' : 'InvalidRequest', checked.detail);
        return;
      }
      const media = storeMedia(state, { platform: 'bluesky', ownerId: a.identity.id, mimeType: checked.mimeType, bytes });
      const link = cid('bafkrei');
      state.bag<string>('bluesky-blobs').set(link, media.id);
      res.json({ blob: { $type: 'blob', ref: { $link: link }, mimeType: checked.mimeType, size: bytes.length } });
    }),
  );

  pds.post(
    x('com.atproto.repo.createRecord'),
    handler(blueskyErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const input = body(req);
      const record = (input.record ?? {}) as Record<string, unknown>;
      if (input.repo !== a.identity.id && input.repo !== a.identity.handle) {
        xrpcError(res, 400, 'InvalidRequest', 'Invalid repo: does not match the authenticated account');
        return;
      }
      if (input.collection !== 'app.bsky.feed.post') {
        xrpcError(res, 400, 'InvalidRequest', 'The sandbox only accepts app.bsky.feed.post records');
        return;
      }
      const text = record.text;
      if (typeof text !== 'string') {
        xrpcError(res, 400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: Record must have the property "text"');
        return;
      }
      if (typeof record.createdAt !== 'string' || Number.isNaN(Date.parse(record.createdAt))) {
        xrpcError(res, 400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: Record must have the property "createdAt"');
        return;
      }
      const badFacet = facetProblem(text, record.facets);
      if (badFacet) {
        xrpcError(res, 400, 'InvalidRequest', `Invalid app.bsky.feed.post record: ${badFacet}`);
        return;
      }
      const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;
      if (graphemes > 300) {
        xrpcError(res, 400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes');
        return;
      }
      if (Buffer.byteLength(text) > 3000) {
        xrpcError(res, 400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: Record/text must not be longer than 3000 characters');
        return;
      }
      const embedded = embeddedImages(state, a.identity.id, record.embed);
      if (!embedded.ok) {
        xrpcError(res, 400, 'InvalidRequest', `Invalid app.bsky.feed.post record: ${embedded.problem}`);
        return;
      }
      const did = a.identity.id;
      const handle = a.identity.handle;
      const rkey = typeof input.rkey === 'string' ? input.rkey : tid(state.clock.now());
      const result = publish(state, {
        platform: 'bluesky',
        authorId: did,
        authorHandle: handle,
        text,
        imageUrls: embedded.images.map((image) => image.media.path),
        imageAlts: embedded.images.map((image) => image.alt),
        idempotencyKey: idempotencyKey(req),
        ...(record.facets ? { options: { facets: record.facets } } : {}),
        makeId: () => `at://${did}/app.bsky.feed.post/${rkey}`,
        makePath: (id) => `/bsky.app/profile/${handle}/post/${id.split('/').pop() ?? ''}`,
      });
      const cids = state.bag<string>('bluesky-cids');
      let recordCid = cids.get(result.post.id);
      if (!recordCid) {
        recordCid = cid();
        cids.set(result.post.id, recordCid);
      }
      res.json({ uri: result.post.id, cid: recordCid, commit: { cid: cid(), rev: tid(state.clock.now()) }, validationStatus: 'valid' });
    }),
  );
}
