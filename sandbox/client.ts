// Typed client for the sandbox control API, plus consent automation for tests and benchmarks.

import type { PlatformId } from '../platforms/types.js';
import type {
  CallbackDelivery,
  Counters,
  CreateBlueskyAccountInput,
  CreateIdentityInput,
  FaultInput,
  FaultResult,
  PostView,
  SandboxIdentityView,
  SandboxSettings,
  SettingsPatch,
  SubscriptionType,
  TokenView,
} from './api-types.js';

export type * from './api-types.js';

export class SandboxError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export interface AccountQuery {
  platform?: PlatformId;
  externalId?: string;
}

export class SandboxClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
  }

  /** The sandbox URL of a real platform URL: `https://api.x.com/2/x` -> `<base>/api.x.com/2/x`. */
  platformUrl(realUrl: string): string {
    const url = new URL(realUrl);
    return `${this.baseUrl}/${url.host}${url.pathname}${url.search}`;
  }

  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }

  settings(): Promise<SandboxSettings> {
    return this.call('GET', '/config');
  }

  configure(patch: SettingsPatch): Promise<SandboxSettings> {
    return this.call('POST', '/config', patch);
  }

  /** Moves the sandbox clock forward (token expiry, code expiry, rate-limit windows). */
  advanceClock(seconds: number): Promise<{ now: string; offsetSec: number }> {
    return this.call('POST', '/clock', { advanceSec: seconds });
  }

  clock(): Promise<{ now: string; offsetSec: number }> {
    return this.call('GET', '/clock');
  }

  identities(platform: PlatformId): Promise<SandboxIdentityView[]> {
    return this.call('GET', `/identities?platform=${platform}`);
  }

  createIdentity(input: CreateIdentityInput): Promise<SandboxIdentityView> {
    return this.call('POST', '/identities', input);
  }

  createBlueskyAccount(input: CreateBlueskyAccountInput): Promise<SandboxIdentityView & { appPassword: string }> {
    return this.call('POST', '/bluesky/accounts', input);
  }

  setSubscription(externalId: string, subscriptionType: SubscriptionType, verifiedType?: string): Promise<SandboxIdentityView> {
    return this.call('POST', '/x/subscription', { externalId, subscriptionType, verifiedType });
  }

  fault(platform: PlatformId, externalId: string, fault: FaultInput): Promise<FaultResult> {
    return this.call('POST', '/faults', { platform, externalId, ...fault });
  }

  revoke(platform: PlatformId, externalId: string): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'revoke' });
  }

  expire(platform: PlatformId, externalId: string): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'expire' });
  }

  failNext(platform: PlatformId, externalId: string, count: number, status?: number): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'fail', count, status });
  }

  rateLimit(platform: PlatformId, externalId: string, seconds: number): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'rateLimit', seconds });
  }

  slowDown(platform: PlatformId, externalId: string, delayMs: number): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'slow', delayMs });
  }

  changePassword(platform: PlatformId, externalId: string): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'changePassword' });
  }

  removeApp(platform: PlatformId, externalId: string, reason?: number): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'removeApp', reason });
  }

  clearFaults(platform: PlatformId, externalId: string): Promise<FaultResult> {
    return this.fault(platform, externalId, { fault: 'clear' });
  }

  /** No query: global totals; platform only: that platform's totals; both: one account. */
  counters(query: AccountQuery = {}): Promise<Counters> {
    return this.call('GET', `/counters${toQuery(query)}`);
  }

  posts(query: AccountQuery = {}): Promise<PostView[]> {
    return this.call('GET', `/posts${toQuery(query)}`);
  }

  tokens(query: AccountQuery & { live?: boolean } = {}): Promise<TokenView[]> {
    return this.call('GET', `/tokens${toQuery(query)}`);
  }

  /** Puts a file on the sandbox's stand-in public web server; answers its address. */
  async host(bytes: Buffer): Promise<string> {
    const response = await fetch(`${this.baseUrl}/_sandbox/hosted`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    if (!response.ok) throw new Error(`sandbox hosted: HTTP ${response.status}`);
    return ((await response.json()) as { url: string }).url;
  }

  callbacks(): Promise<CallbackDelivery[]> {
    return this.call('GET', '/callbacks');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) throw new SandboxError(`sandbox ${method} ${path} failed: ${response.status} ${text}`, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function toQuery(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [string, unknown][]) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface ConsentChoice {
  /** Identity id or handle; default the platform's first identity. */
  identity?: string;
  /** Meta only: the Page ids to grant (default all of the identity's Pages). */
  choose?: string[];
}

/**
 * Does what a user does on the consent page: loads it, then submits Approve.
 * Returns the redirect URL (redirect_uri with code and state, or an error the platform sent).
 * Throws when the page itself refuses the request (unknown client, bad redirect_uri...).
 */
export function approveConsent(authorizeUrl: string, choice: ConsentChoice = {}): Promise<string> {
  return submitConsent(authorizeUrl, 'approve', choice);
}

export function denyConsent(authorizeUrl: string, choice: ConsentChoice = {}): Promise<string> {
  return submitConsent(authorizeUrl, 'deny', choice);
}

async function submitConsent(authorizeUrl: string, decision: 'approve' | 'deny', choice: ConsentChoice): Promise<string> {
  const pageUrl = new URL(authorizeUrl);
  if (choice.identity) pageUrl.searchParams.set('identity', choice.identity);
  const page = await fetch(pageUrl, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  const html = await page.text();
  if (page.status >= 300 && page.status < 400) {
    // The platform redirected without a page (e.g. an invalid scope error goes straight back).
    return new URL(page.headers.get('location') ?? '', authorizeUrl).toString();
  }
  if (!page.ok) throw new SandboxError(`consent page refused the request: ${page.status} ${stripTags(html)}`, page.status, html);

  const url = new URL(authorizeUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set('decision', decision);
  if (choice.identity) form.set('identity', choice.identity);
  for (const id of choice.choose ?? []) form.append('choose', id);
  const response = await fetch(`${url.origin}${url.pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    signal: AbortSignal.timeout(15_000),
  });
  const location = response.headers.get('location');
  if (response.status < 300 || response.status >= 400 || !location) {
    const text = await response.text();
    throw new SandboxError(`consent submission failed: ${response.status} ${stripTags(text)}`, response.status, text);
  }
  return new URL(location, authorizeUrl).toString();
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}
