import type { Client } from '@temporalio/client';
import { createPost } from '../../../db/posts.js';
import type { PostMedia } from '../../../db/models/post.js';
import type { PlatformId } from '../../../platforms/types.js';
import { queuePost } from '../../../services/posts/queue.js';
import type { AccountWorkflowTarget } from '../../../services/account-workflows/target.js';
import type { TestDatabase } from '../../helpers/integration.js';
import type { Owner } from '../../helpers/lifecycle.js';

// Schedules posts the way the compose page does: stored in MongoDB, then handed to each account's workflow.

export async function schedulePosts(options: {
  db: TestDatabase;
  workflows: AccountWorkflowTarget;
  owner: Owner;
  account: { accountId: string; platform: PlatformId; handle?: string };
  posts: Array<{ text: string; publishAt: Date; media?: PostMedia[] }>;
}) {
  const created = [];
  for (const input of options.posts) {
    const post = await createPost(
      options.db.models,
      {
        ownerId: options.owner.ownerId,
        penNameId: options.owner.penNameId,
        kind: 'scheduled',
        text: input.text,
        ...(input.media ? { media: input.media } : {}),
        timeZone: 'UTC',
        publishAt: input.publishAt,
        targets: [{ accountId: options.account.accountId, platform: options.account.platform, handle: options.account.handle ?? 'someone' }],
      },
      new Date(),
    );
    const [answer] = await queuePost(options.workflows, options.db.models, post);
    created.push({ post, answer: answer! });
  }
  return created;
}

export const workflowTarget = (client: Client, taskQueue: string, extra: Partial<AccountWorkflowTarget> = {}): AccountWorkflowTarget => ({ client, taskQueue, ...extra });
