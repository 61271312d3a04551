import type { PostMedia } from '../../db/models/post.js';
import { createPost } from '../../db/posts.js';
import { queuePost } from '../../services/posts/queue.js';
import { commandCount, commandsBetween, commandsPer, type CommandTotals } from '../shared/db-commands.js';
import { PLATFORM } from '../shared/owner.js';
import type { PublishContext } from './context.js';
import type { ConnectedAccount } from './setup.js';

// Schedules one round as the compose page does: each post stored with one target (createPost),
// then handed to its account's workflow (queuePost), which answers the post's queue position.
// Post i goes to account i % M; an account's posts are queued one after another, in index order,
// so that is their queue order; accounts are scheduled in parallel.

export interface ScheduledTarget {
  postId: string;
  accountId: string;
  /** Index of the account (lane) in the connected list. */
  lane: number;
  /** 1-based place among this round's posts of the account: the order they must go out in. */
  position: number;
}

export interface ScheduledRound {
  label: string;
  /** Images each post carries. */
  images: number;
  /** The instant every post of the round is due (epoch ms). */
  dueAt: number;
  targets: ScheduledTarget[];
  schedulingSec: number;
  /** Seconds between the end of scheduling and the due instant (negative: scheduling was too slow). */
  marginSec: number;
  /** Targets the workflow did not accept, or accepted at an unexpected queue position. */
  notQueued: number;
  wrongPosition: number;
  firstRefusal?: string;
  /** Database commands per post of the dashboard's part (createPost + queuePost), counted in this process. */
  commandsPerPost: number;
  commandsByCommand: CommandTotals;
}

/** Posts of account `lane` when `posts` are spread round-robin over `accounts`. */
export const postsOfLane = (lane: number, posts: number, accounts: number) => Math.floor(posts / accounts) + (lane < posts % accounts ? 1 : 0);

export const postText = (context: PublishContext, label: string, index: number) => `Publishing benchmark ${context.runId}, ${label} round, post ${index + 1}`;

/** The due instant of a round whose scheduling starts now. */
export const dueInstant = (context: PublishContext) => Date.now() + context.options.leadSec * 1000;

export async function scheduleRound(
  context: PublishContext,
  label: string,
  accounts: ConnectedAccount[],
  dueAt: number,
  media: PostMedia[] = [],
  postCount = context.options.posts,
): Promise<ScheduledRound> {
  const { models, client, accountTaskQueue, owner } = context;
  const started = Date.now();
  const commandsBefore = context.commands.client.snapshot();
  const workflows = { client, taskQueue: accountTaskQueue };
  let notQueued = 0;
  let wrongPosition = 0;
  let firstRefusal: string | undefined;
  const lanes = await Promise.all(
    accounts.map(async (account, lane) => {
      const targets: ScheduledTarget[] = [];
      for (let position = 1; position <= postsOfLane(lane, postCount, accounts.length); position++) {
        const index = lane + (position - 1) * accounts.length;
        const post = await createPost(
          models,
          {
            ownerId: owner.ownerId,
            penNameId: owner.penNameId,
            kind: 'scheduled',
            text: postText(context, label, index),
            ...(media.length > 0 ? { media } : {}),
            timeZone: 'UTC',
            publishAt: new Date(dueAt),
            targets: [{ accountId: account.accountId, platform: PLATFORM, handle: account.handle }],
          },
          new Date(),
        );
        const [answer] = await queuePost(workflows, models, post);
        if (!answer?.queued) {
          notQueued += 1;
          firstRefusal ??= answer ? answer.reason.message : 'no answer';
        } else if (answer.result.position !== position) {
          wrongPosition += 1;
        }
        targets.push({ postId: post._id, accountId: account.accountId, lane, position });
      }
      return targets;
    }),
  );
  const finished = Date.now();
  const commands = commandsBetween(commandsBefore, context.commands.client.snapshot());
  const posts = Math.max(1, lanes.flat().length);
  return {
    commandsPerPost: commandCount(commands) / posts,
    commandsByCommand: commandsPer(commands, posts),
    label,
    images: media.length,
    dueAt,
    targets: lanes.flat(),
    schedulingSec: (finished - started) / 1000,
    marginSec: (dueAt - finished) / 1000,
    notQueued,
    wrongPosition,
    ...(firstRefusal ? { firstRefusal } : {}),
  };
}
