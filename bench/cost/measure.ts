import { setTimeout as sleep } from 'node:timers/promises';
import { createPost } from '../../db/posts.js';
import type { PlatformId, RenewalKind } from '../../platforms/types.js';
import { queuePost } from '../../services/posts/queue.js';
import { accountWorkflowId } from '../../workflows/account/messages.js';
import { addCosts, costOf, costPer, emptyCost, type HistoryCost } from '../shared/actions.js';
import { commandCount, commandsBetween, commandsPer, type CommandTotals } from '../shared/db-commands.js';
import { eventId, fetchRuns, updatesOf } from '../shared/history.js';
import { callsBetween } from '../shared/sandbox-process.js';
import { connectNew, type CostAccount } from './connect.js';
import type { CostVariant } from './options.js';
import type { CostStack } from './stack.js';

// One platform, one variant: connect A accounts, let D simulated days pass (scheduling one post a
// day in the posts variant), then read what they cost: from their histories (every run), from the
// worker's and the dashboard's command monitoring, and from the sandbox's call log. The connect
// itself is reported apart; the days are what an account costs to keep.

export const DAY_MS = 24 * 3600 * 1000;

export interface PlatformCost {
  platform: PlatformId;
  policy: RenewalKind;
  variant: CostVariant;
  accounts: number;
  days: number;
  /** Per account-day, from the histories after the connect. */
  perAccountDay: HistoryCost;
  /** Billable Temporal actions per account-month (30 days). */
  actionsPerAccountMonth: number;
  /** Runs per account over the days (1 + continue-as-new). */
  runsPerAccount: number;
  /** Per account, once: the connect's update (update-with-start). */
  connect: HistoryCost;
  platformCalls: { perAccountDay: number; byEndpoint: Record<string, number> };
  /** Token renewals the sandbox granted, per account-day. */
  renewalsPerAccountDay: number;
  databaseCommands: { workerPerAccountDay: number; workerByCommand: CommandTotals; dashboardPerAccountDay: number };
  posts?: { scheduled: number; published: number; notPublished: number; reasons: string[] };
  realSec: number;
}

async function schedulePost(stack: CostStack, account: CostAccount, dueAt: number, day: number): Promise<string> {
  // The platforms that take no post without media get the bundled samples.
  const media = account.platform === 'tiktok' ? [stack.media.video] : account.platform === 'instagram' || account.platform === 'pinterest' ? [stack.media.photo] : [];
  const post = await createPost(
    stack.models,
    {
      ownerId: stack.owner.ownerId,
      penNameId: stack.owner.penNameId,
      kind: 'scheduled',
      text: `Cost benchmark ${stack.runId}, ${account.platform}, day ${day + 1}`,
      ...(media.length > 0 ? { media } : {}),
      timeZone: 'UTC',
      publishAt: new Date(dueAt),
      targets: [
        {
          accountId: account.accountId,
          platform: account.platform,
          handle: account.handle,
          ...(account.boardId ? { boardId: account.boardId } : {}),
          // TikTok's choices are the user's: who may see the post, and its music confirmation.
          ...(account.platform === 'tiktok' ? { choices: { privacyLevel: 'SELF_ONLY', musicConsent: true } } : {}),
        },
      ],
    },
    new Date(),
  );
  const [answer] = await queuePost(stack.workflows, stack.models, post);
  if (!answer?.queued) throw new Error(`post for ${account.platform} not queued: ${answer ? answer.reason.message : 'no answer'}`);
  return post._id;
}

/** Waits (real time) until the scheduled posts have settled; the last one may still be publishing when the days end. */
async function settledPosts(stack: CostStack, postIds: string[]): Promise<NonNullable<PlatformCost['posts']>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const targets = await stack.models.PostTarget.find({ postId: { $in: postIds } }).lean();
    const settled = targets.filter((t) => ['published', 'failed', 'canceled'].includes(t.state));
    if (settled.length === postIds.length || Date.now() > deadline) {
      const published = targets.filter((t) => t.state === 'published').length;
      return { scheduled: postIds.length, published, notPublished: postIds.length - published, reasons: [...new Set(targets.flatMap((t) => (t.reason ? [t.reason.message] : [])))].slice(0, 3) };
    }
    await sleep(500);
  }
}

export async function measurePlatform(
  stack: CostStack,
  options: { platform: PlatformId; variant: CostVariant; accounts: number; days: number; postHour: number },
  progress: (message: string) => void,
): Promise<PlatformCost> {
  const { platform, variant, days } = options;
  const started = Date.now();
  const accounts: CostAccount[] = [];
  for (let i = 0; i < options.accounts; i++) accounts.push(await connectNew(stack, platform, `${variant}${i}`));

  const workerBefore = stack.commands.worker.snapshot();
  const clientBefore = stack.commands.client.snapshot();
  const callsBefore = await stack.sandbox.tally();
  const countersBefore = await stack.sandbox.control.counters({ platform });
  const start = await stack.now();
  const postIds: string[] = [];
  for (let day = 0; day < days; day++) {
    if (variant === 'posts') for (const account of accounts) postIds.push(await schedulePost(stack, account, start + day * DAY_MS + options.postHour * 3600_000, day));
    const target = start + (day + 1) * DAY_MS;
    const now = await stack.now();
    if (target > now) await stack.env.sleep(target - now);
    if ((day + 1) % 10 === 0 && day + 1 < days) progress(`  ${platform} (${variant}): day ${day + 1} of ${days}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const posts = variant === 'posts' ? await settledPosts(stack, postIds) : undefined;
  const worker = commandsBetween(workerBefore, stack.commands.worker.snapshot());
  const client = commandsBetween(clientBefore, stack.commands.client.snapshot());
  const calls = callsBetween(callsBefore, await stack.sandbox.tally());
  const countersAfter = await stack.sandbox.control.counters({ platform });

  let total = emptyCost();
  let connect = emptyCost();
  let runs = 0;
  for (const account of accounts) {
    const handle = stack.env.client.workflow.getHandle(accountWorkflowId(account.accountId));
    const accountRuns = await fetchRuns(stack.env.client, accountWorkflowId(account.accountId));
    runs += accountRuns.length;
    const first = accountRuns[0] ?? [];
    const connectedAt = updatesOf(first).find((u) => u.name === 'reconnect')?.completedId ?? 0;
    connect = addCosts(connect, costOf(first.filter((e) => eventId(e) <= connectedAt)));
    for (const [index, events] of accountRuns.entries()) total = addCosts(total, costOf(events, index === 0 ? connectedAt : 0));
    await handle.terminate('cost benchmark: this platform is measured');
  }
  const accountDays = accounts.length * days;
  const perAccountDay = costPer(total, accountDays);
  return {
    platform,
    policy: accounts[0]!.policy,
    variant,
    accounts: accounts.length,
    days,
    perAccountDay,
    actionsPerAccountMonth: Math.round((total.actions / accountDays) * 30 * 10) / 10,
    runsPerAccount: runs / accounts.length,
    connect: costPer(connect, accounts.length),
    platformCalls: {
      perAccountDay: Object.values(calls).reduce((sum, c) => sum + c.count, 0) / accountDays,
      byEndpoint: Object.fromEntries(Object.entries(calls).map(([key, c]) => [key, Math.round((c.count / accountDays) * 100) / 100])),
    },
    renewalsPerAccountDay: (countersAfter.refreshes - countersBefore.refreshes) / accountDays,
    databaseCommands: { workerPerAccountDay: commandCount(worker) / accountDays, workerByCommand: commandsPer(worker, accountDays), dashboardPerAccountDay: commandCount(client) / accountDays },
    ...(posts ? { posts } : {}),
    realSec: (Date.now() - started) / 1000,
  };
}
