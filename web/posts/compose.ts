import { accountRefOf, accountsOfPenName } from '../../db/accounts.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { PLATFORM_NAMES, type Board, type PlatformAdapter, type PlatformId, type PostRules } from '../../platforms/types.js';
import { PAGE_PLATFORMS } from '../connections/page-model.js';
import type { FieldErrors } from '../respond.js';
import { displayHandle } from '../../platforms/handle.js';

// What the compose form offers: the pen name's accounts that can take a post (expired ones wait
// for a reconnect; disconnected ones are left out), each platform's rules as hints, and the boards
// of each Pinterest account. Also the per-account check of a post before anything is stored.

type Adapters = Partial<Record<PlatformId, PlatformAdapter>>;

export interface BoardChoice {
  boards: Board[];
  /** Why the boards could not be listed; the form then takes a board id as text. */
  problem?: string;
}

export interface ComposeAccount {
  id: string;
  platform: PlatformId;
  /** "X @writer" */
  label: string;
  expired: boolean;
  expiredReason?: string;
  hints: string[];
  needsBoard: boolean;
  board?: BoardChoice;
}

export const targetLabel = (target: { platform: PlatformId; handle: string }) => `${PLATFORM_NAMES[target.platform]} ${displayHandle(target.handle)}`;

/** Field name of an account's message on the form. */
export const targetField = (accountId: string) => `target-${accountId}`;

const UNIT_HINTS: Record<PostRules['lengthUnit'], string> = {
  weighted: 'characters (links count 23, emoji 2)',
  graphemes: 'characters',
  characters: 'characters',
};

export function hintsFor(rules: PostRules | undefined, platform: PlatformId): string[] {
  if (!rules) return [`${PLATFORM_NAMES[platform]} is not configured on this installation`];
  if (rules.limitation) return [rules.limitation];
  const hints = [`up to ${rules.maxLength.toLocaleString('en-US')} ${UNIT_HINTS[rules.lengthUnit]}`];
  if (rules.requiresImage) hints.push('needs an image');
  if (rules.requiresBoard) hints.push('needs a board');
  return hints;
}

/** Accounts a new post can go to, in one query, in the Connections page's order. */
export async function postableAccounts(models: Models, scope: { ownerId: string; penNameId: string }): Promise<Account[]> {
  const accounts = await accountsOfPenName(models, scope);
  const rank = (account: Account) => PAGE_PLATFORMS.indexOf(account.platform);
  return accounts.filter((account) => account.status?.state !== 'disconnected').sort((a, b) => rank(a) - rank(b));
}

/** One platform call per Pinterest account; a failure is shown, never thrown. */
async function boardsOf(account: Account, adapter: PlatformAdapter | undefined, store: CredentialStore): Promise<BoardChoice> {
  if (!adapter?.listBoards) return { boards: [], problem: 'Pinterest boards cannot be listed on this installation; enter the board id.' };
  try {
    const stored = await store.loadCredentials(account._id);
    if (!stored) return { boards: [], problem: 'No credentials are stored for this account; reconnect it, or enter the board id.' };
    const listed = await adapter.listBoards(accountRefOf(account), stored.credentials);
    if (listed.kind !== 'ok') return { boards: [], problem: `Pinterest did not list the boards (${listed.message}); enter the board id.` };
    if (listed.value.length === 0) return { boards: [], problem: 'This account has no boards yet; create one on Pinterest, or enter a board id.' };
    return { boards: listed.value };
  } catch {
    return { boards: [], problem: 'Pinterest could not be reached to list the boards; enter the board id.' };
  }
}

export async function composeAccounts(accounts: Account[], adapters: Adapters, store: CredentialStore): Promise<ComposeAccount[]> {
  return Promise.all(
    accounts.map(async (account): Promise<ComposeAccount> => {
      const adapter = adapters[account.platform];
      const rules = adapter?.postRules({ premium: account.premium });
      const expired = account.status?.state === 'expired';
      return {
        id: account._id,
        platform: account.platform,
        label: targetLabel(account),
        expired,
        ...(expired ? { expiredReason: account.status?.reason?.message ?? 'the token has expired' } : {}),
        hints: hintsFor(rules, account.platform),
        needsBoard: rules?.requiresBoard ?? false,
        ...(account.platform === 'pinterest' ? { board: await boardsOf(account, adapter, store) } : {}),
      };
    }),
  );
}

export interface TargetCheck {
  account: Pick<Account, '_id' | 'platform' | 'handle' | 'premium'>;
  boardId?: string;
}

/** Each account's own problems with the post, as "X (@handle): ..." keyed by the account's field. */
export function checkTargets(adapters: Adapters, post: { text: string; imageUrl?: string }, targets: TargetCheck[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const { account, boardId } of targets) {
    const adapter = adapters[account.platform];
    const problems = adapter
      ? adapter.validatePost({ text: post.text, ...(post.imageUrl ? { imageUrl: post.imageUrl } : {}), ...(boardId ? { boardId } : {}) }, { premium: account.premium })
      : [`${PLATFORM_NAMES[account.platform]} is not configured on this installation`];
    if (problems.length > 0) errors[targetField(account._id)] = `${PLATFORM_NAMES[account.platform]} (${displayHandle(account.handle)}): ${problems.join('; ')}`;
  }
  return errors;
}
