import type { Identity, IssuedTokens, PlatformAdapter, PlatformId, RenewalKind, Target } from '../../platforms/types.js';
import { completeConnection } from '../../services/accounts/complete-connection.js';
import { consent } from '../shared/consent.js';
import type { CostStack } from './stack.js';

// Connects one new sandbox identity of a platform as a user does: OAuth consent (or Bluesky's app
// password), then, where a login covers several targets, the first target of the kind a user
// would pick (a Facebook Page, the Instagram account, the LinkedIn profile, the YouTube channel).

export interface CostAccount {
  platform: PlatformId;
  accountId: string;
  /** The id the sandbox counts the account's calls under. */
  externalId: string;
  handle: string;
  /** How its tokens stay alive, as the adapter says. */
  policy: RenewalKind;
  /** Pinterest: the board its posts go to. */
  boardId?: string;
}

const PREFERRED_TARGET: Partial<Record<PlatformId, Target['kind']>> = { facebook: 'page', instagram: 'instagram', linkedin: 'profile', youtube: 'channel' };

async function signIn(stack: CostStack, adapter: PlatformAdapter, handle: string): Promise<{ identity: Identity; tokens: IssuedTokens }> {
  const { control } = stack.sandbox;
  if (adapter.connect === 'appPassword') {
    const account = await control.createBlueskyAccount({ handle: `${handle.replace(/_/g, '-')}.bsky.social` });
    const session = await adapter.createSession!({ identifier: account.handle, appPassword: account.appPassword });
    if (session.kind !== 'ok') throw new Error(`${adapter.id} session failed: ${session.message}`);
    return session.value;
  }
  // An unaudited TikTok app posts only to private accounts, as Only me.
  const created = await control.createIdentity({ platform: adapter.id, handle, ...(adapter.id === 'tiktok' ? { privateAccount: true } : {}) });
  const consented = await consent(adapter, stack.config, created.id);
  if (!adapter.hasTargetChoice || !adapter.listTargets) return consented;
  const targets = await adapter.listTargets(consented.tokens, consented.identity);
  if (targets.kind !== 'ok') throw new Error(`${adapter.id} targets: ${targets.message}`);
  const target = targets.value.find((t) => t.kind === PREFERRED_TARGET[adapter.id]) ?? targets.value[0];
  if (!target) throw new Error(`${adapter.id}: the login has no target to connect`);
  const { tokens, kind: _kind, ...identity } = target;
  return { identity, tokens: tokens ?? consented.tokens };
}

/** `label` keeps handles unique across the variants of one run. */
export async function connectNew(stack: CostStack, platform: PlatformId, label: string): Promise<CostAccount> {
  const adapter = stack.adapters[platform];
  if (!adapter) throw new Error(`${platform} is not configured`);
  const { identity, tokens } = await signIn(stack, adapter, `cost_${platform}_${label}_${stack.runId}`);
  const completed = await completeConnection({ models: stack.models, store: stack.store, workflows: stack.workflows }, { ...stack.owner, platform, identity, tokens });
  if (!completed.result.accepted) throw new Error(`${platform} connect rejected: ${JSON.stringify(completed.result.rejection)}`);
  let boardId: string | undefined;
  if (platform === 'pinterest') {
    const identities = await stack.sandbox.control.identities('pinterest');
    boardId = identities.find((i) => i.id === identity.externalId)?.boards?.find((b) => b.privacy === 'PUBLIC')?.id;
  }
  const policy = adapter.tokenPolicy({ refreshToken: tokens.refreshToken }).renewal;
  return { platform, accountId: completed.accountId, externalId: identity.externalId, handle: identity.handle, policy, ...(boardId ? { boardId } : {}) };
}
