import { accountsByIds } from '../../db/accounts.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import type { Post } from '../../db/models/post.js';
import type { PostTarget } from '../../db/models/post-target.js';
import { failedTargetsOf, ownPostsByIds, targetsOfPost } from '../../db/posts.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { retryPostTarget, type ActionDeps, type Outcome } from './actions.js';
import type { PostsPage } from './page-model.js';

// Retrying many failed targets at once from the Posts list: every failed target of one post, or
// every failed post of one account (after a reconnect). Targets of disconnected accounts stay failed.

/** Failed posts of one account retried at most per request. */
const ACCOUNT_RETRIES = 100;

async function retryEach(deps: ActionDeps, scope: PenNameScope, targets: PostTarget[]): Promise<{ retried: number; problems: string[] }> {
  if (targets.length === 0) return { retried: 0, problems: [] };
  const [posts, accounts] = await Promise.all([
    ownPostsByIds(deps.models, scope, targets.map((target) => target.postId)),
    accountsByIds(deps.models, scope.ownerId, [...new Set(targets.map((target) => target.accountId))]),
  ]);
  const postOf = new Map(posts.map((post) => [post._id, post]));
  const connected = new Set(accounts.filter((account) => !account.disconnectedAt).map((account) => account._id));
  let retried = 0;
  const problems: string[] = [];
  for (const target of targets) {
    const post = postOf.get(target.postId);
    if (!post || !connected.has(target.accountId)) continue;
    const outcome = await retryPostTarget(deps, post, target);
    if (outcome.ok) retried++;
    else problems.push(outcome.message);
  }
  return { retried, problems };
}

const say = (retried: number, problems: string[], what: string): Outcome => ({
  ok: retried > 0 && problems.length === 0,
  message: [retried > 0 ? `Retrying ${retried} ${what}.` : `Nothing to retry: no failed ${what} on a connected account.`, ...problems].join(' '),
});

export async function retryFailedOfPost(deps: ActionDeps, scope: PenNameScope, post: Pick<Post, '_id' | 'targets'>): Promise<Outcome> {
  const failed = (await targetsOfPost(deps.models, post)).filter((target) => target.state === 'failed');
  const { retried, problems } = await retryEach(deps, scope, failed);
  return say(retried, problems, retried === 1 ? 'target' : 'targets');
}

export async function retryFailedOfAccount(deps: ActionDeps, scope: PenNameScope, account: { _id: string; handle: string; platform: keyof typeof PLATFORM_NAMES }): Promise<Outcome> {
  const failed = await failedTargetsOf(deps.models, scope, account._id, ACCOUNT_RETRIES);
  const { retried, problems } = await retryEach(deps, scope, failed);
  return say(retried, problems, `post${retried === 1 ? '' : 's'} of ${displayHandle(account.handle)} on ${PLATFORM_NAMES[account.platform]}`);
}

/** For the list: per post, how many failed targets can be retried; per connected account, how many of the shown posts failed on it. */
export function retryOffers(page: PostsPage): { posts: Map<string, number>; accounts: { accountId: string; label: string; count: number }[] } {
  const posts = new Map<string, number>();
  const accounts = new Map<string, { accountId: string; label: string; count: number }>();
  for (const post of page.posts) {
    const retryable = post.targets.filter((target) => target.canRetry);
    if (retryable.length > 0) posts.set(post.id, retryable.length);
    for (const target of retryable) {
      const entry = accounts.get(target.accountId) ?? { accountId: target.accountId, label: target.label, count: 0 };
      entry.count++;
      accounts.set(target.accountId, entry);
    }
  }
  return { posts, accounts: [...accounts.values()].filter((entry) => entry.count > 1) };
}
