import { accountsByIds, everyAccountOfPenName } from '../../db/accounts.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import type { PostTarget, TargetState } from '../../db/models/post-target.js';
import type { Post } from '../../db/models/post.js';
import { latestPosts, postIdsWithTargetsIn, targetsOfPost, targetsOfPosts } from '../../db/posts.js';
import type { PlatformId } from '../../platforms/types.js';
import { phraseReason } from '../../services/phrasing/index.js';
import { reconnectUrlFor } from '../connections/page-model.js';
import { targetLabel } from './compose.js';
import type { StatusFilter } from './form.js';
import { formatIn } from './time.js';

// The Posts pages as data. A target's status is its stored state, except that a scheduled target
// of an expired account is shown as paused until the account is reconnected. The list costs a
// fixed number of queries whatever the number of posts.

/** The list shows at most this many posts, newest publish time first. */
export const POSTS_SHOWN = 100;
/** Targets read to find the posts matching a status filter. */
const FILTER_TARGETS_READ = 1000;

export type TargetStatus = Exclude<TargetState, 'scheduled'> | 'scheduled' | 'paused';
export type Tone = 'ok' | 'warn' | 'danger' | 'pending';

export interface TargetView {
  accountId: string;
  platform: PlatformId;
  label: string;
  status: TargetStatus;
  statusLabel: string;
  tone: Tone;
  reason?: string;
  url?: string;
  reconnectUrl?: string;
  attempts: number;
  dueAt: string;
  queuedAt?: string;
  publishedAt?: string;
  /** Failed, and its account is still connected. */
  canRetry: boolean;
}

export interface PostView {
  id: string;
  excerpt: string;
  text: string;
  /** Images and video stored with the post. */
  mediaCount: number;
  timeZone: string;
  publishAt: string;
  publishAtIso: string;
  targets: TargetView[];
  canEdit: boolean;
  canCancel: boolean;
}

const STATUS_LABELS: Record<TargetStatus, string> = {
  scheduled: 'Scheduled',
  paused: 'Paused — waiting for reconnect',
  publishing: 'Publishing',
  published: 'Published',
  failed: 'Failed',
  canceled: 'Canceled',
};

const TONES: Record<TargetStatus, Tone> = { scheduled: 'pending', paused: 'warn', publishing: 'pending', published: 'ok', failed: 'danger', canceled: 'pending' };

export function excerptOf(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

const isPaused = (target: Pick<PostTarget, 'state'>, account: Account | undefined) => target.state === 'scheduled' && account?.status?.state === 'expired';

export function targetView(target: PostTarget, account: Account | undefined, zone: string): TargetView {
  const status: TargetStatus = isPaused(target, account) ? 'paused' : target.state;
  // A paused target waits for its account: the account's reason, phrased in the post's zone like its times.
  const accountReason = account?.status?.reason ? phraseReason(account.status.reason, { platform: account.platform, timeZone: zone }) : undefined;
  const reason = status === 'paused' ? (accountReason ?? 'the token has expired') : target.reason?.message;
  return {
    accountId: target.accountId,
    platform: target.platform,
    label: targetLabel(target),
    status,
    statusLabel: STATUS_LABELS[status],
    tone: TONES[status],
    ...(reason ? { reason } : {}),
    ...(status === 'published' && target.url ? { url: target.url } : {}),
    ...(status === 'paused' && account ? { reconnectUrl: reconnectUrlFor(account) } : {}),
    attempts: target.attempts,
    dueAt: formatIn(target.dueAt, zone),
    ...(target.queuedAt ? { queuedAt: formatIn(target.queuedAt, zone) } : {}),
    ...(target.publishedAt ? { publishedAt: formatIn(target.publishedAt, zone) } : {}),
    canRetry: target.state === 'failed' && account !== undefined && !account.disconnectedAt,
  };
}

export function postView(post: Post, targets: PostTarget[], accounts: Map<string, Account>): PostView {
  // Targets in the order they were chosen.
  const order = new Map(post.targets.map((choice, index) => [choice.accountId, index]));
  const views = [...targets]
    .sort((a, b) => (order.get(a.accountId) ?? 0) - (order.get(b.accountId) ?? 0))
    .map((target) => targetView(target, accounts.get(target.accountId), post.timeZone));
  const scheduled = targets.some((target) => target.state === 'scheduled');
  return {
    id: post._id,
    excerpt: excerptOf(post.text),
    text: post.text,
    mediaCount: post.media?.length ?? 0,
    timeZone: post.timeZone,
    publishAt: formatIn(post.publishAt, post.timeZone),
    publishAtIso: post.publishAt.toISOString(),
    targets: views,
    canEdit: scheduled,
    canCancel: scheduled || targets.some((target) => target.state === 'publishing'),
  };
}

/** Post ids with a target in the filtered status, newest due first. */
async function postIdsMatching(models: Models, scope: PenNameScope, status: StatusFilter, accounts: Account[]): Promise<string[]> {
  const expired = accounts.filter((account) => account.status?.state === 'expired').map((account) => account._id);
  const state: TargetState = status === 'paused' ? 'scheduled' : status;
  const on = status === 'paused' ? { in: expired } : status === 'scheduled' ? { notIn: expired } : undefined;
  return postIdsWithTargetsIn(models, scope, { state, ...(on ? { accounts: on } : {}), limit: FILTER_TARGETS_READ });
}

export interface PostsPage {
  posts: PostView[];
  capped: boolean;
}

export async function loadPostsPage(models: Models, scope: PenNameScope, status: StatusFilter | undefined): Promise<PostsPage> {
  const accounts = await everyAccountOfPenName(models, scope);
  const ids = status ? await postIdsMatching(models, scope, status, accounts) : undefined;
  const posts = await latestPosts(models, scope, { ...(ids ? { ids } : {}), limit: POSTS_SHOWN + 1 });
  const shown = posts.slice(0, POSTS_SHOWN);
  const targets = await targetsOfPosts(models, shown.map((post) => post._id));
  const byAccount = new Map(accounts.map((account) => [account._id, account]));
  const byPost = new Map<string, PostTarget[]>();
  for (const target of targets) byPost.set(target.postId, [...(byPost.get(target.postId) ?? []), target]);
  return { posts: shown.map((post) => postView(post, byPost.get(post._id) ?? [], byAccount)), capped: posts.length > POSTS_SHOWN };
}

export async function loadPostDetail(models: Models, scope: PenNameScope, post: Post): Promise<{ view: PostView; targets: PostTarget[]; accounts: Map<string, Account> }> {
  const [targets, accounts] = await Promise.all([
    targetsOfPost(models, post),
    accountsByIds(models, scope.ownerId, post.targets.map((target) => target.accountId)),
  ]);
  const byAccount = new Map(accounts.map((account) => [account._id, account]));
  return { view: postView(post, targets, byAccount), targets, accounts: byAccount };
}
