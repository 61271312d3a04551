// The control and inspection API under /_sandbox (JSON), used by tests, benchmarks and people.

import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { PLATFORM_IDS, type PlatformId } from '../../platforms/types.js';
import type { PostView, TokenView } from '../api-types.js';
import { applyFault } from './faultActions.js';
import { avatarSvg } from './html.js';
import { baseUrl } from './http.js';
import { generateAppPassword, newIdentity } from './identities.js';
import { applySettingsPatch } from './settings.js';
import type { SandboxState } from './state.js';

const platformSchema = z.enum(PLATFORM_IDS);
const lifetimes = z
  .object({
    accessTokenSec: z.number().positive(),
    refreshTokenSec: z.number().positive(),
    shortLivedSec: z.number().positive(),
    codeSec: z.number().positive(),
  })
  .partial();
const settingsPatch = z.object({
  lifetimes: lifetimes.optional(),
  platformLifetimes: z.partialRecord(platformSchema, lifetimes).optional(),
  linkedinPartnerRefresh: z.boolean().optional(),
  duplicateWindowSec: z.number().min(0).optional(),
  blueskyRefreshGraceSec: z.number().min(0).optional(),
  threadsMinRefreshAgeSec: z.number().min(0).optional(),
  tokenRateLimits: z
    .partialRecord(platformSchema, z.object({ limit: z.number().int().min(0), windowSec: z.number().positive() }).nullable())
    .optional(),
  deauthorizeUrls: z
    .object({ facebook: z.url(), instagram: z.url(), threads: z.url(), tiktok: z.url() })
    .partial()
    .optional(),
  instagramContainerStatuses: z.array(z.enum(['IN_PROGRESS', 'FINISHED', 'ERROR', 'EXPIRED'])).min(1).optional(),
  tiktokAudited: z.boolean().optional(),
  tiktokVerifiedDomains: z.array(z.string().min(1)).optional(),
  pinterestAccess: z.enum(['trial', 'standard']).optional(),
  mediaProcessing: z.partialRecord(platformSchema, z.enum(['finish', 'fail', 'stall'])).optional(),
  metaLoginConfigs: z
    .partialRecord(z.enum(['facebook', 'instagram']), z.object({ configId: z.string().min(1), scopes: z.array(z.string().min(1)) }).nullable())
    .optional(),
});
const subscription = z.enum(['None', 'Basic', 'Premium', 'PremiumPlus']);
const account = { platform: platformSchema, externalId: z.string().min(1) };
const faultSchema = z.discriminatedUnion('fault', [
  z.object({ ...account, fault: z.literal('revoke') }),
  z.object({ ...account, fault: z.literal('expire') }),
  z.object({ ...account, fault: z.literal('fail'), count: z.number().int().min(0), status: z.number().int().min(500).max(599).optional() }),
  z.object({ ...account, fault: z.literal('rateLimit'), seconds: z.number().positive().optional(), until: z.union([z.string(), z.number()]).optional() }),
  z.object({ ...account, fault: z.literal('slow'), delayMs: z.number().min(0).max(120_000) }),
  z.object({ ...account, fault: z.literal('changePassword') }),
  z.object({ ...account, fault: z.literal('removeApp'), reason: z.number().int().min(0).max(5).optional() }),
  z.object({ ...account, fault: z.literal('clear') }),
]);

class BadRequest extends Error {}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new BadRequest(result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

function optionalPlatform(value: unknown): PlatformId | undefined {
  return value === undefined ? undefined : parse(platformSchema, value);
}

export function mountControlApi(app: Express, state: SandboxState): void {
  const api = express.Router();
  api.use(express.json());

  api.post('/reset', (_req, res) => {
    state.reset();
    res.status(204).end();
  });

  api.get('/config', (_req, res) => {
    res.json(state.settings);
  });

  api.post('/config', (req, res) => {
    applySettingsPatch(state.settings, parse(settingsPatch, req.body));
    res.json(state.settings);
  });

  api.get('/clock', (_req, res) => {
    res.json({ now: new Date(state.clock.now()).toISOString(), offsetSec: state.clock.offsetSec });
  });

  api.post('/clock', (req, res) => {
    const { advanceSec } = parse(z.object({ advanceSec: z.number() }), req.body);
    state.clock.advance(advanceSec);
    res.json({ now: new Date(state.clock.now()).toISOString(), offsetSec: state.clock.offsetSec });
  });

  api.get('/identities', (req, res) => {
    const platform = parse(platformSchema, req.query.platform);
    const base = baseUrl(state, req);
    res.json(state.identitiesOf(platform).map((i) => state.identityView(i, base)));
  });

  api.post('/identities', (req, res) => {
    const input = parse(
      z.object({
        platform: platformSchema,
        handle: z.string().min(1).max(100),
        displayName: z.string().min(1).max(100).optional(),
        id: z.string().min(1).optional(),
        subscriptionType: subscription.optional(),
        privateAccount: z.boolean().optional(),
      }),
      req.body,
    );
    if (state.identity(input.platform, input.handle) || (input.id && state.identity(input.platform, input.id))) {
      throw new BadRequest(`an identity with that handle or id already exists on ${input.platform}`);
    }
    const identity = newIdentity(input);
    state.identitiesOf(input.platform).push(identity);
    res.status(201).json(state.identityView(identity, baseUrl(state, req)));
  });

  api.post('/bluesky/accounts', (req, res) => {
    const input = parse(
      z.object({
        handle: z.string().regex(/^[a-z0-9][a-z0-9.-]*\.[a-z]+$/i, 'expected a domain-like handle'),
        appPassword: z.string().min(1).optional(),
        displayName: z.string().optional(),
        pdsUrl: z.url().optional(),
        handleMethod: z.enum(['https', 'dns']).optional(),
        didMethod: z.enum(['plc', 'web']).optional(),
      }),
      req.body,
    );
    const appPassword = input.appPassword ?? generateAppPassword();
    const existing = state.identity('bluesky', input.handle);
    if (existing) {
      existing.appPasswords = [...new Set([...(existing.appPasswords ?? []), appPassword])];
      res.json({ ...state.identityView(existing, baseUrl(state, req)), appPassword });
      return;
    }
    const identity = newIdentity({ platform: 'bluesky', handle: input.handle, displayName: input.displayName, ...(input.didMethod === 'web' ? { id: `did:web:${input.handle}` } : {}) });
    identity.appPasswords = [appPassword];
    if (input.pdsUrl) identity.pdsUrl = input.pdsUrl.replace(/\/$/, '');
    if (input.handleMethod) identity.handleMethod = input.handleMethod;
    state.identitiesOf('bluesky').push(identity);
    res.status(201).json({ ...state.identityView(identity, baseUrl(state, req)), appPassword });
  });

  api.post('/x/subscription', (req, res) => {
    const input = parse(z.object({ externalId: z.string(), subscriptionType: subscription, verifiedType: z.string().optional() }), req.body);
    const identity = state.identity('x', input.externalId);
    if (!identity) {
      res.status(404).json({ error: `no X identity ${input.externalId}` });
      return;
    }
    identity.subscriptionType = input.subscriptionType;
    identity.verifiedType = input.verifiedType ?? (input.subscriptionType === 'None' ? 'none' : 'blue');
    res.json(state.identityView(identity, baseUrl(state, req)));
  });

  api.post('/faults', async (req, res) => {
    res.json(await applyFault(state, parse(faultSchema, req.body)));
  });

  api.get('/counters', (req, res) => {
    const platform = optionalPlatform(req.query.platform);
    const externalId = typeof req.query.externalId === 'string' ? req.query.externalId : undefined;
    res.json(state.counters.get(platform, externalId));
  });

  api.get('/posts', (req, res) => {
    const platform = optionalPlatform(req.query.platform);
    const externalId = typeof req.query.externalId === 'string' ? req.query.externalId : undefined;
    const base = baseUrl(state, req);
    const posts: PostView[] = state.posts.posts
      .filter((p) => (!platform || p.platform === platform) && (!externalId || p.authorId === externalId))
      .map((p) => ({
        platform: p.platform,
        id: p.id,
        authorId: p.authorId,
        text: p.text,
        imageUrls: p.imageUrls,
        videoUrl: p.videoUrl,
        boardId: p.boardId,
        idempotencyKey: p.idempotencyKey,
        createdAt: new Date(p.createdAt).toISOString(),
        url: `${base}${p.path}`,
        ...(p.options ? { options: p.options } : {}),
      }));
    res.json(posts);
  });

  api.get('/tokens', (req, res) => {
    const platform = optionalPlatform(req.query.platform);
    const externalId = typeof req.query.externalId === 'string' ? req.query.externalId : undefined;
    const liveOnly = req.query.live === 'true';
    const views: TokenView[] = [];
    for (const token of state.tokens.tokens.values()) {
      if (platform && token.platform !== platform) continue;
      if (externalId && !state.relatedIds(token).includes(externalId)) continue;
      const status = state.tokens.status(token);
      if (liveOnly && status !== 'ok') continue;
      const grant = state.tokens.grant(token);
      views.push({
        fingerprint: token.fingerprint,
        platform: token.platform,
        kind: token.kind,
        userId: token.userId,
        targetId: token.targetId,
        grantId: token.grantId,
        scopes: token.scopes,
        issuedAt: new Date(token.issuedAt).toISOString(),
        expiresAt: token.expiresAt === undefined ? undefined : new Date(token.expiresAt).toISOString(),
        used: token.usedAt !== undefined,
        revoked: token.revoked ?? grant.revoked,
        live: status === 'ok',
      });
    }
    res.json(views);
  });

  api.get('/callbacks', (_req, res) => {
    res.json(state.callbacks);
  });

  api.get('/avatar/:platform/:file', (req, res) => {
    const platform = parse(platformSchema, req.params.platform);
    const id = req.params.file.replace(/\.svg$/, '');
    const identity = state.identity(platform, id);
    const label = identity?.displayName ?? state.metaOwner(id)?.page.name ?? id;
    res.type('image/svg+xml').set('cache-control', 'public, max-age=3600').send(avatarSvg(label, platform));
  });

  api.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'unknown sandbox control endpoint' });
  });
  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof BadRequest) res.status(400).json({ error: error.message });
    else if ((error as { status?: number }).status === 400) res.status(400).json({ error: 'invalid JSON body' });
    else res.status(500).json({ error: 'internal sandbox error' });
  });

  app.use('/_sandbox', api);
}
