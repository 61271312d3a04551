import type { Config } from '../../config/index.js';
import { accountsOfPenName } from '../../db/accounts.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { slotsUsed } from '../../db/plan-slots.js';
import { scheduledCountsOf } from '../../db/posts.js';
import { PLATFORM_NAMES, type PlatformAdapter, type PlatformId } from '../../platforms/types.js';
import { limitOf } from '../../services/plans/catalog.js';
import { formatDateTime } from '../../workflows/lifecycle/reasons.js';
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
}

export function connectUrlFor(platform: PlatformId): string {
  return `/connect/${platform}`;
}

export function pillFor(account: Pick<Account, '_id' | 'platform' | 'handle' | 'displayName' | 'avatarUrl' | 'status' | 'premium'>, pausedPosts = 0): AccountPill {
  const status = account.status;
  const handle = account.handle.replace(/^@/, '');
  const reconnectUrl = account.platform === 'bluesky' ? `/connect/bluesky?handle=${encodeURIComponent(handle)}&reconnect=${account._id}` : `/connect/${account.platform}?reconnect=${account._id}`;
  const base = {
    id: account._id,
    platform: account.platform,
    handle,
    displayName: account.displayName,
    ...(account.avatarUrl ? { avatarUrl: account.avatarUrl } : {}),
    initial: (account.displayName || handle).trim().charAt(0).toUpperCase() || '?',
    reconnectUrl,
    pausedPosts,
    ...premiumOf(account),
  };
  if (!status) return { ...base, tone: 'pending', label: 'Connecting', detail: 'Checking the new credentials.', needsAction: false, canRefresh: false };
  const live = status.state === 'active' || status.state === 'expiring';
  const checked = live && status.lastCheckedAt ? { checked: checkedLine(status.lastCheckedAt, status.nextCheckAt) } : {};
  return { ...pillOfState(base, status), ...checked };
}

function checkedLine(last: Date, next: Date | undefined): string {
  return `Last checked ${formatDateTime(last.getTime())}${next ? `; next check ${formatDateTime(next.getTime())}` : ''}.`;
}

function pillOfState(base: Omit<AccountPill, 'tone' | 'label' | 'needsAction' | 'canRefresh'>, status: NonNullable<Account['status']>): AccountPill {
  switch (status.state) {
    case 'expired':
      return { ...base, tone: 'danger', label: 'Token expired', detail: status.reason?.message ?? 'Reconnect to continue.', needsAction: true, canRefresh: false };
    case 'expiring': {
      const deadline = status.warningDeadline ?? status.tokenExpiresAt;
      const when = deadline ? `Stops working on ${formatDateTime(deadline.getTime())}.` : undefined;
      return { ...base, tone: 'warn', label: 'Expiring soon', detail: [when, status.reason?.message].filter(Boolean).join(' '), needsAction: true, canRefresh: true };
    }
    case 'disconnected':
      return { ...base, tone: 'pending', label: 'Disconnected', needsAction: false, canRefresh: false };
    case 'active':
      // Transient trouble (rate limits, outages) is shown on a live account, never as expired.
      return status.reason
        ? { ...base, tone: 'warn', label: 'Error', detail: status.reason.message, needsAction: false, canRefresh: true }
        : { ...base, tone: 'ok', label: 'Active', needsAction: false, canRefresh: true };
  }
}

function premiumOf(account: Pick<Account, 'platform' | 'premium'>): Pick<AccountPill, 'premium'> {
  const tag = account.platform === 'x' ? premiumTagOf(account.premium) : undefined;
  return tag && account.premium ? { premium: { tag, checkedAt: formatDateTime(account.premium.checkedAt.getTime()) } } : {};
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
  input: { ownerId: string; penNameId: string; plan: string },
): Promise<ConnectionsPage> {
  const [{ accounts, waiting }, used] = await Promise.all([accountsWithPausedPosts(deps.models, input), slotsUsed(deps.models, input.ownerId)]);
  const limit = limitOf(deps.config.plans, input.plan);
  const pills = accounts.map((account) => pillFor(account, waiting.get(account._id) ?? 0));
  const sections = PAGE_PLATFORMS.map((id) => ({
    id,
    name: PLATFORM_NAMES[id],
    configured: deps.adapters[id] !== undefined,
    connectUrl: connectUrlFor(id),
    accounts: pills.filter((pill) => pill.platform === id),
  }));
  return { sections, plan: { limit, used, full: used >= limit, none: limit === 0 }, needingAction: pills.filter((pill) => pill.needsAction) };
}
