import type { Config } from '../../config/index.js';
import type { Models } from '../../db/models/index.js';
import { createPkce } from '../../platforms/oauth.js';
import type { Identity, IssuedTokens, PlatformAdapter } from '../../platforms/types.js';
import { approveConsent, type SandboxClient } from '../../sandbox/client.js';
import { runPool } from '../shared/pool.js';

// Unmeasured setup: the sandbox identities, an owner, and each identity's OAuth consent run the
// way a user runs it (consent page, code exchange, identity lookup), yielding the tokens and
// identity the dashboard would hand to completeConnection.

export const PLATFORM = 'x' as const;

export interface BenchOwner {
  ownerId: string;
  penNameId: string;
  penName: string;
}

export interface Consented {
  identity: Identity;
  tokens: IssuedTokens;
}

export async function createOwner(models: Models): Promise<BenchOwner> {
  const user = await models.User.create({ email: `bench-${Date.now()}@example.test`, name: 'Benchmark Owner', plan: 'agency' });
  const penName = await models.PenName.create({ ownerId: user._id, name: 'Benchmark' });
  return { ownerId: String(user._id), penNameId: String(penName._id), penName: penName.name };
}

/** N new X identities in the sandbox; returns their ids. */
export async function createIdentities(control: SandboxClient, count: number, concurrency: number): Promise<string[]> {
  const run = await runPool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const created = await control.createIdentity({ platform: PLATFORM, handle: `bench_${i}`, displayName: `Bench ${i}` });
    return created.id;
  });
  if (run.failures > 0) throw new Error(`creating sandbox identities failed ${run.failures} times: ${run.firstError}`);
  return run.results as string[];
}

/** One user's OAuth consent in the sandbox, ending with the tokens and the identity they belong to. */
export async function consent(adapter: PlatformAdapter, config: Config, identityId: string): Promise<Consented> {
  const redirectUri = `${config.web.publicUrl}/connect/${PLATFORM}/callback`;
  const pkce = createPkce();
  const authorizeUrl = adapter.authorizationUrl({ state: 'bench', redirectUri, codeChallenge: pkce.challenge });
  const redirect = new URL(await approveConsent(authorizeUrl, { identity: identityId }));
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`consent returned no code (${redirect.searchParams.get('error') ?? 'no error'})`);
  const exchanged = await adapter.exchangeCode({ code, redirectUri, codeVerifier: pkce.verifier });
  if (exchanged.kind !== 'ok') throw new Error(`code exchange failed: ${exchanged.message}`);
  const identity = await adapter.identity(exchanged.value);
  if (identity.kind !== 'ok') throw new Error(`identity lookup failed: ${identity.message}`);
  return { identity: identity.value, tokens: exchanged.value };
}

export async function consentAll(adapter: PlatformAdapter, config: Config, identityIds: string[], concurrency: number): Promise<Consented[]> {
  const run = await runPool(identityIds, concurrency, (id) => consent(adapter, config, id));
  if (run.failures > 0) throw new Error(`OAuth consent failed ${run.failures} times: ${run.firstError}`);
  return run.results as Consented[];
}
