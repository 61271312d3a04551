import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES, type Identity, type IssuedTokens, type PlatformId } from '../../platforms/types.js';
import { connectAccount, type ConnectDeps } from '../../services/accounts/connect-account.js';
import { phraseReason } from '../../services/phrasing/index.js';
import type { Reader } from '../reader.js';

// What the user is told at the end of a connect flow (services/accounts/connect-account.ts does it).

export type FinishResult =
  | { ok: true; accountId: string; created: boolean; accepted: boolean; message: string; hasOverduePosts: boolean }
  | { ok: false; problem: 'limit'; message: string };

export async function finishConnection(
  deps: ConnectDeps,
  input: { ownerId: string; penNameId: string; penName: string; platform: PlatformId; identity: Identity; tokens: IssuedTokens },
  reader: Reader,
): Promise<FinishResult> {
  const connected = await connectAccount(deps, input);
  const name = PLATFORM_NAMES[input.platform];
  const who = displayHandle(input.identity.handle);
  if (!connected.ok) {
    return {
      ok: false,
      problem: 'limit',
      message:
        connected.limit === 0
          ? `${who} on ${name} was not connected: your plan does not include connected accounts. Choose a plan on the Billing page.`
          : `${who} on ${name} was not connected: your plan allows ${connected.limit} connected account${connected.limit === 1 ? '' : 's'} and all are in use. Upgrade on the Billing page or disconnect one first.`,
    };
  }
  const { result, created } = connected;
  const verb = created ? 'Connected' : 'Reconnected';
  const message = result.accepted
    ? `${verb} ${who} on ${name}: ${describeState(result.state.status)}.`
    : `${who} on ${name} was stored, but ${name} refused the new credentials: ${phraseReason(result.rejection, { ...reader, platform: input.platform })}`;
  const hasOverduePosts = (result.state.queue?.overdue?.postIds.length ?? 0) > 0;
  return { ok: true, accountId: connected.accountId, created, accepted: result.accepted, message, hasOverduePosts };
}

function describeState(status: string): string {
  switch (status) {
    case 'active':
      return 'active';
    case 'expiring':
      return 'active, but it will need a reconnect soon';
    case 'expired':
      return 'the token is not usable';
    default:
      return 'being checked';
  }
}
