import { accountRefOf, accountsOfPenName } from '../../db/accounts.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { PLATFORM_NAMES, type AccountRef, type Board, type ChoiceOptions, type Credentials, type MediaInfo, type Outcome, type PlatformAdapter, type PlatformId, type PostChoices, type PostRules } from '../../platforms/types.js';
import { phraseReason } from '../../services/phrasing/index.js';
import { PAGE_PLATFORMS } from '../connections/page-model.js';
import type { Reader } from '../reader.js';
import type { FieldErrors } from '../respond.js';
import { displayHandle } from '../../platforms/handle.js';
import { mediaHints } from '../../platforms/media-rules.js';

// What the compose form offers: the pen name's accounts that can take a post (expired ones wait
// for a reconnect; disconnected ones are left out), each platform's rules as hints, and the boards
// of each Pinterest account. Also the per-account check of a post before anything is stored.

type Adapters = Partial<Record<PlatformId, PlatformAdapter>>;

export interface BoardChoice {
  boards: Board[];
  /** Why the boards could not be listed; the form then takes a board id as text. */
  problem?: string;
}

/** What a platform makes the person choose for this account (TikTok), or why it could not be read. */
export interface PlatformChoice {
  options?: ChoiceOptions;
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
  choice?: PlatformChoice;
}

export const targetLabel = (target: { platform: PlatformId; handle: string }) => `${PLATFORM_NAMES[target.platform]} ${displayHandle(target.handle)}`;

/** Field name of an account's message on the form. */
export const targetField = (accountId: string) => `target-${accountId}`;

const UNIT_HINTS: Record<PostRules['lengthUnit'], string> = {
  weighted: 'characters (links count 23, emoji 2)',
  graphemes: 'characters',
  characters: 'characters',
  emojiBytes: 'characters (an emoji counts as its UTF-8 bytes, 4 or more)',
};

export function hintsFor(rules: PostRules | undefined, platform: PlatformId): string[] {
  if (!rules) return [`${PLATFORM_NAMES[platform]} is not configured on this installation`];
  if (rules.limitation) return [rules.limitation];
  const hints = [`up to ${rules.maxLength.toLocaleString('en-US')} ${UNIT_HINTS[rules.lengthUnit]}`, ...mediaHints(rules.media)];
  if (rules.requiresBoard) hints.push('needs a board');
  return hints;
}

/** Accounts a new post can go to, in one query, in the Connections page's order. */
export async function postableAccounts(models: Models, scope: { ownerId: string; penNameId: string }): Promise<Account[]> {
  const accounts = await accountsOfPenName(models, scope);
  const rank = (account: Account) => PAGE_PLATFORMS.indexOf(account.platform);
  return accounts.filter((account) => account.status?.state !== 'disconnected').sort((a, b) => rank(a) - rank(b));
}

/** One platform call with the account's stored credentials; undefined when none are stored. A thrown error is a failure. */
async function callWithCredentials<T>(
  account: Account,
  store: CredentialStore,
  call: (ref: AccountRef, credentials: Credentials) => Promise<Outcome<T>>,
): Promise<Outcome<T> | 'unreachable' | undefined> {
  try {
    const stored = await store.loadCredentials(account._id);
    return stored ? await call(accountRefOf(account), stored.credentials) : undefined;
  } catch {
    return 'unreachable';
  }
}

/** One platform call per Pinterest account; a failure is shown, never thrown. */
async function boardsOf(account: Account, adapter: PlatformAdapter | undefined, store: CredentialStore): Promise<BoardChoice> {
  const listBoards = adapter?.listBoards;
  if (!listBoards) return { boards: [], problem: 'Pinterest boards cannot be listed on this installation; enter the board id.' };
  const listed = await callWithCredentials(account, store, listBoards);
  if (listed === undefined) return { boards: [], problem: 'No credentials are stored for this account; reconnect it, or enter the board id.' };
  if (listed === 'unreachable') return { boards: [], problem: 'Pinterest could not be reached to list the boards; enter the board id.' };
  if (listed.kind !== 'ok') return { boards: [], problem: `Pinterest did not list the boards (${listed.message}); enter the board id.` };
  if (listed.value.length === 0) return { boards: [], problem: 'This account has no boards yet; create one on Pinterest, or enter a board id.' };
  return { boards: listed.value };
}

/** The choices the platform offers this account right now (TikTok reads creator_info); a failure is shown, never thrown. */
export async function choiceOf(account: Account, adapter: PlatformAdapter, store: CredentialStore): Promise<PlatformChoice | undefined> {
  const postChoices = adapter.postChoices;
  if (!postChoices) return undefined;
  const name = PLATFORM_NAMES[account.platform];
  const read = await callWithCredentials(account, store, postChoices);
  if (read === undefined) return { problem: `No credentials are stored for this account; reconnect it to post to ${name}.` };
  if (read === 'unreachable') return { problem: `${name} could not be reached for this account's posting options; try again.` };
  if (read.kind !== 'ok') return { problem: `${name} did not give this account's posting options (${read.message}).` };
  return { options: read.value };
}

export async function composeAccounts(accounts: Account[], adapters: Adapters, store: CredentialStore, reader: Reader): Promise<ComposeAccount[]> {
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
        ...(expired ? { expiredReason: account.status?.reason ? phraseReason(account.status.reason, { ...reader, platform: account.platform }) : 'the token has expired' } : {}),
        hints: hintsFor(rules, account.platform),
        needsBoard: rules?.requiresBoard ?? false,
        ...(account.platform === 'pinterest' ? { board: await boardsOf(account, adapter, store) } : {}),
        ...(adapter?.postChoices && !expired ? { choice: await choiceOf(account, adapter, store) } : {}),
      };
    }),
  );
}

export interface TargetCheck {
  account: Pick<Account, '_id' | 'platform' | 'handle' | 'premium'>;
  boardId?: string;
  choices?: PostChoices;
}

/** Each account's own problems with the post, as "X (@handle): ..." keyed by the account's field. */
export function checkTargets(adapters: Adapters, post: { text: string; media?: MediaInfo[] }, targets: TargetCheck[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const { account, boardId, choices } of targets) {
    const adapter = adapters[account.platform];
    const problems = adapter
      ? adapter.validatePost(
          { text: post.text, ...(post.media?.length ? { media: post.media } : {}), ...(boardId ? { boardId } : {}), ...(choices ? { choices } : {}) },
          { premium: account.premium },
        )
      : [`${PLATFORM_NAMES[account.platform]} is not configured on this installation`];
    if (problems.length > 0) errors[targetField(account._id)] = `${PLATFORM_NAMES[account.platform]} (${displayHandle(account.handle)}): ${problems.join('; ')}`;
  }
  return errors;
}
