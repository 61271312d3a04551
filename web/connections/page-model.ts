import type { Config } from '../../config/index.js';
import { accountsOfPenName } from '../../db/accounts.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { slotsUsed } from '../../db/plan-slots.js';
import { scheduledCountsOf } from '../../db/posts.js';
import { PLATFORM_NAMES, type PlatformAdapter, type PlatformId } from '../../platforms/types.js';
import { formatDateTime, phraseHealthCheck, phraseNextAction, phraseReason } from '../../services/phrasing/index.js';
import { limitOf } from '../../services/plans/catalog.js';
import type { Reader } from '../reader.js';
import { comingUpOf, type ComingUp } from './coming-up.js';
import { grantEndOf } from './grant-end.js';
import { premiumTagOf } from './premium.js';

// The Connections page as data: one section per platform with its account pills, and the plan's
// room. At most four queries whatever the number of accounts (accounts of the pen name, the user's
// plan, the slots held, and posts waiting per expired account when there is one); nothing asks Temporal.

/** The order the page lists platforms in. */
export const PAGE_PLATFORMS: readonly PlatformId[] = ['linkedin', 'facebook', 'bluesky', 'youtube', 'pinterest', 'instagram', 'tiktok', 'x', 'threads'];

export type PillTone = 'ok' | 'warn' | 'danger' | 'pending';

export interface AccountPill {
  id: string;
  platform: PlatformId;
  handle: string;
  displayName: string;
  avatarUrl?: string;
  initial: string;
  tone: PillTone;
  /** Active, Expiring soon, Token expired, Error, Connecting. */
  label: string;
  /** The specific reason or date, when there is one. */
  detail?: string;
  /** What the account's lifecycle does next by itself, and when ("Renews the token at 14:05 UTC"). */
  next?: string;
  needsAction: boolean;
  canRefresh: boolean;
  reconnectUrl: string;
  /** Scheduled posts waiting while the account is expired (its queue is paused). */
  pausedPosts: number;
  /** X only: the stored subscription when it allows long posts ("Premium", "Premium+", "Basic"), and when it was read. */
  premium?: { tag: string; checkedAt: string };
  /** A live account: when the platform last accepted the connection, and when it is checked next. */
  checked?: string;
}

export interface PlatformSection {
  id: PlatformId;
  name: string;
  configured: boolean;
  connectUrl: string;
  accounts: AccountPill[];
}

export interface ConnectionsPage {
  sections: PlatformSection[];
  plan: { limit: number; used: number; full: boolean; none: boolean };
  needingAction: AccountPill[];
  /** Next warnings, token ends and planned steps across the pen name's accounts, soonest first. */
  comingUp: ComingUp[];
}

export function connectUrlFor(platform: PlatformId): string {
  return `/connect/${platform}`;
}

/** Where the user reconnects an account: the platform's connect flow, marked as a reconnect of this one. */
export function reconnectUrlFor(account: Pick<Account, '_id' | 'platform' | 'handle'>): string {
  const handle = account.handle.replace(/^@/, '');
  return account.platform === 'bluesky' ? `/connect/bluesky?handle=${encodeURIComponent(handle)}&reconnect=${account._id}` : `/connect/${account.platform}?reconnect=${account._id}`;
}

/** One account's pill, its reason, dates and next step phrased for the reader. */
export function pillFor(account: Pick<Account, '_id' | 'platform' | 'handle' | 'displayName' | 'avatarUrl' | 'status' | 'premium'>, reader: Reader, pausedPosts = 0): AccountPill {
  const status = account.status;
  const handle = account.handle.replace(/^@/, '');
  const context = { ...reader, platform: account.platform };
  const reason = status?.reason ? phraseReason(status.reason, context) : undefined;
  const next = status?.nextAction && (status.state === 'active' || status.state === 'expiring') ? { next: `Next: ${phraseNextAction(status.nextAction, status.nextActionAt, reader)}` } : {};
  const base = {
    id: account._id,
    platform: account.platform,
    handle,
    displayName: account.displayName,
    ...(account.avatarUrl ? { avatarUrl: account.avatarUrl } : {}),
    initial: (account.displayName || handle).trim().charAt(0).toUpperCase() || '?',
    reconnectUrl: reconnectUrlFor(account),
    pausedPosts,
    ...premiumOf(account, reader),
  };
  if (!status) return { ...base, tone: 'pending', label: 'Connecting', detail: 'Checking the new credentials.', needsAction: false, canRefresh: false };
  const live = status.state === 'active' || status.state === 'expiring';
  const checked = live && status.lastCheckedAt ? { checked: phraseHealthCheck(status.lastCheckedAt, status.nextCheckAt, reader) } : {};
  switch (status.state) {
    case 'expired':
      return { ...base, tone: 'danger', label: 'Token expired', detail: reason ?? 'Reconnect to continue.', needsAction: true, canRefresh: false };
    case 'expiring': {
      const deadline = status.warningDeadline ?? grantEndOf(status);
      const when = deadline ? `Stops working on ${formatDateTime(deadline, reader.timeZone)}.` : undefined;
      return { ...base, ...next, ...checked, tone: 'warn', label: 'Expiring soon', detail: [when, reason].filter(Boolean).join(' '), needsAction: true, canRefresh: true };
    }
    case 'disconnected':
      return { ...base, tone: 'pending', label: 'Disconnected', needsAction: false, canRefresh: false };
    case 'active':
      // Transient trouble (rate limits, outages) is shown on a live account, never as expired.
      return reason
        ? { ...base, ...next, ...checked, tone: 'warn', label: 'Error', detail: reason, needsAction: false, canRefresh: true }
        : { ...base, ...next, ...checked, tone: 'ok', label: 'Active', needsAction: false, canRefresh: true };
  }
}


function premiumOf(account: Pick<Account, 'platform' | 'premium'>, reader: Reader): Pick<AccountPill, 'premium'> {
  const tag = account.platform === 'x' ? premiumTagOf(account.premium) : undefined;
  return tag && account.premium ? { premium: { tag, checkedAt: formatDateTime(account.premium.checkedAt, reader.timeZone) } } : {};
}

/** The accounts, and the scheduled posts waiting on those that are expired: only those are shown, so only those are counted. */
async function accountsWithPausedPosts(models: Models, input: PenNameScope): Promise<{ accounts: Account[]; waiting: Map<string, number> }> {
  const accounts = await accountsOfPenName(models, input);
  const expiredIds = accounts.filter((account) => account.status?.state === 'expired').map((account) => account._id);
  const waiting = expiredIds.length > 0 ? await scheduledCountsOf(models, input, expiredIds) : new Map<string, number>();
  return { accounts, waiting };
}

export async function loadConnectionsPage(
  deps: { config: Config; models: Models; adapters: Partial<Record<PlatformId, PlatformAdapter>> },
  input: { ownerId: string; penNameId: string; plan: string; reader: Reader },
): Promise<ConnectionsPage> {
  const [{ accounts, waiting }, used] = await Promise.all([accountsWithPausedPosts(deps.models, input), slotsUsed(deps.models, input.ownerId)]);
  const limit = limitOf(deps.config.plans, input.plan);
  const pills = accounts.map((account) => pillFor(account, input.reader, waiting.get(account._id) ?? 0));
  const sections = PAGE_PLATFORMS.map((id) => ({
    id,
    name: PLATFORM_NAMES[id],
    configured: deps.adapters[id] !== undefined,
    connectUrl: connectUrlFor(id),
    accounts: pills.filter((pill) => pill.platform === id),
  }));
  return { sections, plan: { limit, used, full: used >= limit, none: limit === 0 }, needingAction: pills.filter((pill) => pill.needsAction), comingUp: comingUpOf(accounts, input.reader) };
}
