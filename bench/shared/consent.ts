import type { Config } from '../../config/index.js';
import { createPkce } from '../../platforms/oauth.js';
import type { Identity, IssuedTokens, PlatformAdapter } from '../../platforms/types.js';
import { approveConsent } from '../../sandbox/client.js';

// One sandbox identity's OAuth consent run the way a user runs it (consent page, code exchange,
// identity lookup), yielding the tokens and identity the dashboard would hand to completeConnection.

export interface Consented {
  identity: Identity;
  tokens: IssuedTokens;
}

/** One user's OAuth consent in the sandbox on the adapter's platform, ending with the tokens and the identity they belong to. */
export async function consent(adapter: PlatformAdapter, config: Config, identityId: string): Promise<Consented> {
  const redirectUri = `${config.web.publicUrl}/connect/${adapter.id}/callback`;
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
