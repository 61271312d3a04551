import { oneChangeAtATime } from '../../db/post-changes.js';
import { cancelTargets, editPost, retryTarget, type PostEdit } from '../../db/posts.js';
import type { Models } from '../../db/models/index.js';
import type { PostTarget } from '../../db/models/post-target.js';
import type { Post } from '../../db/models/post.js';
import type { TargetChange } from '../../db/target-changes.js';
import type { AccountWorkflowTarget } from '../../services/account-workflows/target.js';
import { phraseReason } from '../../services/phrasing/index.js';
import { queuePost, queueTargets, unqueuePost, type QueueAnswer } from '../../services/posts/queue.js';
import { targetLabel } from './compose.js';

// What the post actions do once the form is valid: store the change, then tell each account's
// workflow (which owns the queue), and say in words what each account answered.

export interface ActionDeps {
  models: Models;
  workflows: AccountWorkflowTarget;
  clock: () => Date;
}

export interface Outcome {
  ok: boolean;
  message: string;
  /** Nothing was changed: another change of the post was being saved. */
  refused?: true;
}

const ANOTHER_CHANGE: Outcome = {
  ok: false,
  refused: true,
  message: 'Another change to this post was being saved at that moment, so nothing was changed. Check the post below, then try again.',
};

/**
 * "Queued on X @a (position 2)", "LinkedIn @b: waits for reconnect: ...", or why it was not queued;
 * moments in the post's zone, like its time.
 */
export function describeAnswers(post: Pick<Post, 'targets' | 'timeZone'>, answers: QueueAnswer[], now: Date): Outcome {
  const targets = new Map(post.targets.map((target) => [target.accountId, target]));
  const lines = answers.map((answer) => {
    const target = targets.get(answer.accountId);
    const label = target ? targetLabel(target) : answer.accountId;
    if (!answer.queued) return `${label}: ${answer.reason.message}`;
    const waits = answer.result.waitsForReconnect;
    if (waits && target) return `${label}: waits for reconnect: ${phraseReason(waits, { platform: target.platform, timeZone: post.timeZone, now: now.getTime() })}`;
    if (waits) return `${label}: waits for reconnect`;
    return `Queued on ${label} (position ${answer.result.position})`;
  });
  return { ok: answers.every((answer) => answer.queued), message: lines.map((line) => `${line}.`).join(' ') };
}

/** "X @a, LinkedIn @b", in the order the post lists its accounts. */
function labelsOf(post: Pick<Post, 'targets'>, targets: PostTarget[]): string {
  const order = (target: PostTarget) => post.targets.findIndex((choice) => choice.accountId === target.accountId);
  return [...targets].sort((a, b) => order(a) - order(b)).map(targetLabel).join(', ');
}

/** Ids of the targets a publish attempt held when a change came to them (busy, or found `publishing`). */
function heldByPublishing(answers: TargetChange[]): Set<string> {
  return new Set(answers.flatMap((answer) => (answer.kind === 'busy' ? [answer.targetId] : answer.kind === 'left' && answer.target.state === 'publishing' ? [answer.target._id] : [])));
}

/** Makes one user change of the post while no other is being saved; otherwise changes nothing and says so. */
async function theOnlyChange(deps: ActionDeps, post: Post, holder: string, change: (now: Date) => Promise<Outcome>): Promise<Outcome> {
  const now = deps.clock();
  const made = await oneChangeAtATime(deps.models, { postId: post._id, holder, now }, () => change(now));
  return made.made ? made.value : ANOTHER_CHANGE;
}

/** Cancels every target still waiting; a target being published cannot be stopped, and says so. */
export function cancelPost(deps: ActionDeps, post: Post, targets: PostTarget[]): Promise<Outcome> {
  return theOnlyChange(deps, post, 'cancel', (now) => cancelWaiting(deps, post, targets, now));
}

async function cancelWaiting(deps: ActionDeps, post: Post, targets: PostTarget[], now: Date): Promise<Outcome> {
  const waiting = targets.filter((target) => target.state === 'scheduled');
  // A publish may have started since the page read the targets: it holds the target (busy), or has claimed it.
  const answers = await cancelTargets(deps.models, waiting, { code: 'canceled', message: 'Canceled by you' }, now);
  const canceled = answers.flatMap((answer) => (answer.kind === 'changed' ? [answer.target] : []));
  for (const target of canceled) await unqueuePost(deps.workflows, post._id, target.accountId);
  const held = heldByPublishing(answers);
  const publishing = targets.filter((target) => target.state === 'publishing' || held.has(target._id));
  const lines: string[] = [];
  if (canceled.length > 0) lines.push(`Canceled on ${labelsOf(post, canceled)}.`);
  if (publishing.length > 0) lines.push(`${labelsOf(post, publishing)}: being published right now, so it cannot be canceled.`);
  if (lines.length === 0) lines.push('Nothing to cancel: no target of this post is waiting to be published.');
  return { ok: canceled.length > 0 && publishing.length === 0, message: lines.join(' ') };
}

/** A failed target waits again (due now, or at the post's time if that is still ahead) and is queued. */
export async function retryPostTarget(deps: ActionDeps, post: Post, target: PostTarget): Promise<Outcome> {
  const now = deps.clock();
  const dueAt = new Date(Math.max(now.getTime(), post.publishAt.getTime()));
  if (!(await retryTarget(deps.models, target, dueAt, now))) {
    return { ok: false, message: `${targetLabel(target)}: nothing to retry; it is no longer failed.` };
  }
  const answers = await queueTargets(deps.workflows, deps.models, post._id, [{ accountId: target.accountId, dueAt }]);
  const described = describeAnswers(post, answers, now);
  return { ok: described.ok, message: `Retrying. ${described.message}` };
}

/**
 * New text, image or time for the targets still waiting; each is moved in its account's queue. A
 * target a publish attempt holds keeps what that attempt is sending, and says so.
 */
export function applyEdit(deps: ActionDeps, post: Post, targets: PostTarget[], edit: PostEdit): Promise<Outcome> {
  return theOnlyChange(deps, post, 'edit', (now) => editWaiting(deps, post, targets, edit, now));
}

async function editWaiting(deps: ActionDeps, post: Post, targets: PostTarget[], edit: PostEdit, now: Date): Promise<Outcome> {
  const waiting = targets.filter((target) => target.state === 'scheduled');
  const held = heldByPublishing(await editPost(deps.models, post, edit, { all: targets, waitingIds: waiting.map((target) => target._id) }, now));
  const moved = waiting.filter((target) => !held.has(target._id));
  const answers = await queuePost(deps.workflows, deps.models, { ...post, ...edit }, moved.map((target) => target.accountId));
  const described = describeAnswers({ ...post, ...edit }, answers, now);
  const publishing = targets.filter((target) => held.has(target._id));
  const kept = publishing.length > 0 ? ` ${labelsOf(post, publishing)}: being published right now, so it goes out as it was.` : '';
  return { ok: described.ok && publishing.length === 0, message: `Saved.${described.message ? ` ${described.message}` : ''}${kept}` };
}
