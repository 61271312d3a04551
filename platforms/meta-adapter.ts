// What the Facebook Pages and Instagram (via Facebook Login) adapters share: Facebook Login, the
// person's identity, token checks and removal of the login. Each adds its targets and publishing.

import { createMetaLogin, type MetaLogin } from './meta-login.js';
import type { AdapterDeps } from './oauth.js';
import { checkPost } from './post-rules.js';
import type { AccountRef, Credentials, Identity, IssuedTokens, Outcome, PlatformAdapter, PostDraft, PostInput, PostRules, PublishedPost, Target, TokenPolicy } from './types.js';

export interface MetaOptions {
  /** `META_GRAPH_VERSION`. */
  graphVersion: string;
  /** Facebook Login for Business configuration of this Meta app (`<PLATFORM>_LOGIN_CONFIG_ID`). */
  configId?: string;
}

export interface MetaAdapterSpec {
  id: 'facebook' | 'instagram';
  name: string;
  scopes: string[];
  rules: PostRules;
  /** How the post text is named in messages ("post", "caption"). */
  textLabel?: string;
  tokenPolicy(credentials: Pick<Credentials, 'accessTokenExpiresAt'>): TokenPolicy;
  refresh(login: MetaLogin, credentials: Credentials): Promise<Outcome<IssuedTokens>>;
  listTargets(login: MetaLogin, tokens: IssuedTokens, identity: Identity): Promise<Outcome<Target[]>>;
  /** Called only with a post that passed `checkPost`. */
  publish(login: MetaLogin, account: AccountRef, credentials: Credentials, post: PostInput): Promise<Outcome<PublishedPost>>;
}

export function createMetaAdapter(deps: AdapterDeps, options: MetaOptions, spec: MetaAdapterSpec): PlatformAdapter {
  const login = createMetaLogin(deps, { scopes: spec.scopes, graphVersion: options.graphVersion, configId: options.configId });
  const check = (post: PostDraft) => checkPost(spec.name, spec.rules, post, spec.textLabel);

  return {
    id: spec.id,
    displayName: spec.name,
    connect: 'oauth',
    usesPkce: false,
    hasTargetChoice: true,

    tokenPolicy: (credentials) => spec.tokenPolicy(credentials),
    postRules: () => spec.rules,
    validatePost: (post) => check(post),

    authorizationUrl: ({ state, redirectUri }) => login.authorizationUrl(state, redirectUri),
    exchangeCode: ({ code, redirectUri }) => login.exchangeCode(code, redirectUri),
    identity: (tokens) => login.me(tokens.accessToken),
    listTargets: (tokens, identity) => spec.listTargets(login, tokens, identity),

    refresh: (_account, credentials) => spec.refresh(login, credentials),
    validate: (_account, credentials) => login.validate(credentials),
    revoke: (account, credentials) => login.revoke(account, credentials),

    async publish(account, credentials, post) {
      const problems = check(post);
      if (problems.length > 0) return { kind: 'invalid', message: problems.join('; ') };
      return spec.publish(login, account, credentials, post);
    },
  };
}
