import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { Post } from '../../db/models/post.js';
import { postsByIds } from '../../db/posts.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// After a reconnect, the posts that fell due while the account was expired wait a few minutes for
// the user's choice. The account's workflow knows which they are and until when it waits.

export interface OverduePosts {
  /** When the workflow stops waiting and publishes them in order; absent when nothing waits. */
  decideBy?: Date;
  /** In their original order. */
  posts: Pick<Post, '_id' | 'text' | 'publishAt' | 'timeZone'>[];
}

export async function overduePostsOf(deps: { models: Models; workflows: AccountWorkflowTarget }, account: Pick<Account, '_id' | 'ownerId'>): Promise<OverduePosts> {
  const state = await new AccountWorkflowClient(deps.workflows).state(account._id);
  // A workflow that is not running holds nothing overdue.
  const overdue = state.ok ? state.value.queue?.overdue : undefined;
  if (!overdue) return { posts: [] };
  // postsByIds answers in the order asked: the queue's.
  return { decideBy: new Date(overdue.decideBy), posts: await postsByIds(deps.models, account.ownerId, overdue.postIds) };
}
