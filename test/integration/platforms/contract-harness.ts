// Shared steps for the adapter contract tests: an in-process sandbox, adapters pointed at it, and
// the connect / credentials plumbing the lifecycle would normally do.

import { afterAll, beforeAll, expect } from 'vitest';
import { createPkce } from '../../../platforms/oauth.js';
import { createAdapters, type AdapterOptions } from '../../../platforms/registry.js';
import type { AccountRef, Credentials, Identity, IssuedTokens, Outcome, PlatformAdapter, PlatformId, PostInput, Target } from '../../../platforms/types.js';
import { approveConsent, SandboxClient, type ConsentChoice } from '../../../sandbox/client.js';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server.js';

export interface ContractContext {
  sandbox: RunningSandbox;
  control: SandboxClient;
  adapter: PlatformAdapter;
  options: ContractOptions;
}

export type ContractOptions = Partial<Omit<AdapterOptions, 'mode' | 'sandboxUrl' | 'clients'>>;

/** The platform's adapter against this sandbox, with settings a test chooses (`settings` override the file's). */
export function adapterFor(context: ContractContext, platform: PlatformId, settings: ContractOptions = {}): PlatformAdapter {
  const adapters = createAdapters({
    mode: 'sandbox',
    sandboxUrl: context.sandbox.url,
    clients: { [platform]: { clientId: `sandbox-${platform}-client`, clientSecret: `sandbox-${platform}-secret` } },
    linkedinPartnerRefresh: false,
    timeoutMs: 2_000,
    linkedin: { mode: 'member', organizationClient: { clientId: 'sandbox-linkedin-organization-client', clientSecret: 'sandbox-linkedin-organization-secret' } },
    ...context.options,
    ...settings,
  });
  const adapter = adapters[platform];
  if (!adapter) throw new Error(`no adapter for ${platform}`);
  return adapter;
}

/** Starts a sandbox for the file and builds the platform's adapter against it. */
export function useSandbox(platform: PlatformId, options: ContractOptions = {}): ContractContext {
  const context = { options } as ContractContext;
  beforeAll(async () => {
    context.sandbox = await startSandbox({ port: 0, linkedinPartnerRefresh: options.linkedinPartnerRefresh ?? false });
    context.control = new SandboxClient(context.sandbox.url);
    context.adapter = adapterFor(context, platform);
  });
  afterAll(async () => {
    await context.sandbox?.close();
  });
  return context;
}

export function expectOk<T>(outcome: Outcome<T>): T {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

export const REDIRECT_URI = 'http://localhost:3000/connect/callback';

/** authorize URL → consent page → exchangeCode → identity, checking state and PKCE on the way. */
export async function connect(
  context: ContractContext,
  choice: ConsentChoice = {},
  adapter: PlatformAdapter = context.adapter,
): Promise<{ tokens: IssuedTokens; identity: Identity }> {
  const pkce = createPkce();
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const url = adapter.authorizationUrl({ state, redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge });
  expect(url.startsWith(`${context.sandbox.url}/`)).toBe(true);
  const redirect = new URL(await approveConsent(url, choice));
  expect(redirect.searchParams.get('state')).toBe(state);
  const code = redirect.searchParams.get('code');
  expect(code).toBeTruthy();
  const tokens = expectOk(await adapter.exchangeCode({ code: code!, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier }));
  expect(tokens.accessToken).toBeTruthy();
  const identity = expectOk(await adapter.identity(tokens));
  return { tokens, identity };
}

/** What the credential store would hand back for freshly issued tokens. */
export function credentialsOf(tokens: IssuedTokens, issuedAt = new Date()): Credentials {
  const at = (sec?: number) => (sec === undefined ? undefined : new Date(issuedAt.getTime() + sec * 1000).toISOString());
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessTokenExpiresAt: at(tokens.accessTokenLifetimeSec),
    refreshTokenExpiresAt: at(tokens.refreshTokenLifetimeSec),
    dataAccessExpiresAt: at(tokens.dataAccessLifetimeSec),
    issuedAt: issuedAt.toISOString(),
    scopes: tokens.scopes,
  };
}

export function accountOf(platform: PlatformId, who: Identity | Target): AccountRef {
  return { platform, externalId: who.externalId, handle: who.handle, meta: who.meta };
}

/** Refresh twice with the newest tokens, then replay the first refresh token: rotation must catch it. */
export async function checkRotation(context: ContractContext, platform: PlatformId, account: AccountRef, first: Credentials): Promise<Credentials> {
  const { adapter, control } = context;
  const second = expectOk(await adapter.refresh(account, first));
  expect(second.refreshToken).toBeTruthy();
  expect(second.refreshToken).not.toBe(first.refreshToken);
  const third = expectOk(await adapter.refresh(account, credentialsOf(second)));
  expect(third.refreshToken).not.toBe(second.refreshToken);
  const before = await control.counters({ platform });
  const replay = await adapter.refresh(account, first);
  expect(replay).toMatchObject({ kind: 'reauthRequired', code: 'refresh_token_invalid' });
  const after = await control.counters({ platform });
  expect(after.refreshTokenReuse - before.refreshTokenReuse).toBe(1);
  return credentialsOf(third);
}

/** Publishing twice with one idempotency key creates one post. */
export async function checkIdempotentPublish(
  context: ContractContext,
  platform: PlatformId,
  account: AccountRef,
  credentials: Credentials,
  post: Omit<PostInput, 'idempotencyKey'>,
) {
  const { adapter, control } = context;
  const key = `idem-${Math.random().toString(36).slice(2)}`;
  const published = expectOk(await adapter.publish(account, credentials, { ...post, idempotencyKey: key }));
  expect(published.externalId).toBeTruthy();
  const again = await adapter.publish(account, credentials, { ...post, idempotencyKey: key });
  expect(again.kind).not.toBe('reauthRequired');
  const posts = (await control.posts({ platform })).filter((p) => p.idempotencyKey === key);
  expect(posts).toHaveLength(1);
  expect(posts[0]!.text).toBe(post.text);
  return { published, again };
}

/** A 5xx is transient and a rate limit reports when it ends. */
export async function checkTransientFaults(context: ContractContext, platform: PlatformId, externalId: string, call: () => Promise<Outcome<unknown>>) {
  const { control } = context;
  await control.failNext(platform, externalId, 1, 503);
  expect((await call()).kind).toBe('transient');
  const before = Date.now();
  await control.rateLimit(platform, externalId, 600);
  const limited = await call();
  expect(limited.kind).toBe('rateLimited');
  return { limited, before };
}

/** The reset time is ~`seconds` from when the fault was set. */
export function expectResetNear(outcome: Outcome<unknown>, expectedMs: number, toleranceMs = 5_000) {
  if (outcome.kind !== 'rateLimited') throw new Error(`expected rateLimited, got ${JSON.stringify(outcome)}`);
  expect(Math.abs(Date.parse(outcome.resetAt) - expectedMs)).toBeLessThanOrEqual(toleranceMs);
}

/** What a post's public page shows: its images (address and alt text) and its video, each served as media. */
export async function viewPost(url: string): Promise<{ images: { src: string; alt: string }[]; video?: string; processing?: string }> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
  const images = [...html.matchAll(/<img [^>]*data-testid="post-image"[^>]*>/g)].map(([tag]) => ({ src: attr(tag, 'src'), alt: attr(tag, 'alt') }));
  const video = /<video [^>]*data-testid="post-video"[^>]*>/.exec(html)?.[0];
  const files = [...images.map((image) => image.src), ...(video ? [attr(video, 'src')] : [])];
  for (const src of files) {
    const file = await fetch(new URL(src, url));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^(image|video)\//);
  }
  const processing = /<p data-testid="post-processing">([^<]*)<\/p>/.exec(html)?.[1];
  return { images, ...(video ? { video: attr(video, 'src') } : {}), ...(processing ? { processing } : {}) };
}
