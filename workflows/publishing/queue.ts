// The account's publishing queue as pure data: which posts wait, in what order, and when each may
// go out. The account workflow holds it (ids and times only) and carries it through
// continue-as-new; every function returns a new queue and never reads a clock.

export interface QueuedPost {
  postId: string;
  dueAt: number;
  /** Arrival order: breaks ties between equal due times, and keeps the original order. */
  seq: number;
  /** Consecutive transient failures; reset by nothing, since a success removes the entry. */
  transientFailures: number;
  retryAt?: number;
}

export interface OverdueHold {
  postIds: string[];
  /** Without a choice by then, the overdue posts go out in their original order. */
  decideBy: number;
}

export interface PublishQueue {
  /** Sorted by (dueAt, seq). */
  entries: QueuedPost[];
  nextSeq: number;
  /** The platform's rate limit: nothing is published before this. */
  heldUntil?: number;
  /** Posts that fell due while the account was expired, waiting for the user's choice after a reconnect. */
  overdue?: OverdueHold;
}

/** Why a waiting post fails when its account is disconnected (the workflow and the web app both write it). */
export const ACCOUNT_DISCONNECTED = { code: 'account_disconnected', message: 'The account was disconnected before this post went out' };

export type OverdueChoice = { choice: 'publishNow' } | { choice: 'skip' } | { choice: 'reschedule'; at: number };

/** Transient failures of one post before it fails (about an hour of backoff in all). */
export const MAX_TRANSIENT_FAILURES = 6;
const FIRST_RETRY_MS = 60_000;

export const emptyQueue = (): PublishQueue => ({ entries: [], nextSeq: 1 });

const byDueThenSeq = (a: QueuedPost, b: QueuedPost) => a.dueAt - b.dueAt || a.seq - b.seq;

/** Adds a post, or moves it to a new time if it is already queued (an edit keeps its place among equals). */
export function schedule(queue: PublishQueue, post: { postId: string; dueAt: number }): { queue: PublishQueue; position: number } {
  const existing = queue.entries.find((entry) => entry.postId === post.postId);
  const entry: QueuedPost = existing
    ? { ...existing, dueAt: post.dueAt, retryAt: undefined, transientFailures: 0 }
    : { postId: post.postId, dueAt: post.dueAt, seq: queue.nextSeq, transientFailures: 0 };
  const entries = [...queue.entries.filter((other) => other.postId !== post.postId), entry].sort(byDueThenSeq);
  const next: PublishQueue = { ...queue, entries, nextSeq: existing ? queue.nextSeq : queue.nextSeq + 1 };
  return { queue: withoutOverdue(next, [post.postId]), position: entries.indexOf(entry) + 1 };
}

export function remove(queue: PublishQueue, postId: string): { queue: PublishQueue; removed: boolean } {
  const entries = queue.entries.filter((entry) => entry.postId !== postId);
  return { queue: withoutOverdue({ ...queue, entries }, [postId]), removed: entries.length !== queue.entries.length };
}

/** When an entry may be published, given the hold, its retry backoff and an overdue hold. */
function readyAt(queue: PublishQueue, entry: QueuedPost): number {
  const overdue = queue.overdue?.postIds.includes(entry.postId) ? queue.overdue.decideBy : 0;
  return Math.max(entry.dueAt, entry.retryAt ?? 0, queue.heldUntil ?? 0, overdue);
}

/** The earliest time anything in the queue may be published; undefined when it is empty. */
export function nextPublishAt(queue: PublishQueue): number | undefined {
  let earliest: number | undefined;
  for (const entry of queue.entries) {
    const at = readyAt(queue, entry);
    if (earliest === undefined || at < earliest) earliest = at;
  }
  return earliest;
}

/** The first post in queue order that may be published at `now`. */
export function firstReady(queue: PublishQueue, now: number): QueuedPost | undefined {
  return queue.entries.find((entry) => readyAt(queue, entry) <= now);
}

/**
 * The posts one publish activity may take at `now`: those ready in queue order, at most `max`.
 * Publishing them one after another is what repeated `firstReady` calls would do while each goes out.
 */
export function readyInOrder(queue: PublishQueue, now: number, max: number): QueuedPost[] {
  return queue.entries.filter((entry) => readyAt(queue, entry) <= now).slice(0, Math.max(0, max));
}

/** After a reconnect: posts already due wait up to `windowMs` for the user's choice. */
export function holdOverdue(queue: PublishQueue, now: number, windowMs: number): PublishQueue {
  const postIds = queue.entries.filter((entry) => entry.dueAt <= now).map((entry) => entry.postId);
  if (postIds.length === 0 || windowMs <= 0) return { ...queue, overdue: undefined };
  return { ...queue, overdue: { postIds, decideBy: now + windowMs } };
}

/** Applies the user's choice for the overdue posts; answers which posts it changed. */
export function resolveOverdue(queue: PublishQueue, decision: OverdueChoice): { queue: PublishQueue; postIds: string[] } {
  const postIds = queue.overdue?.postIds.filter((id) => queue.entries.some((entry) => entry.postId === id)) ?? [];
  const released: PublishQueue = { ...queue, overdue: undefined };
  switch (decision.choice) {
    case 'publishNow':
      return { queue: released, postIds };
    case 'skip':
      return { queue: { ...released, entries: released.entries.filter((entry) => !postIds.includes(entry.postId)) }, postIds };
    case 'reschedule': {
      const entries = released.entries
        .map((entry) => (postIds.includes(entry.postId) ? { ...entry, dueAt: decision.at, retryAt: undefined } : entry))
        .sort(byDueThenSeq);
      return { queue: { ...released, entries }, postIds };
    }
  }
}

/** The platform asked Tether to wait: hold the whole queue until the reset. */
export function rateLimited(queue: PublishQueue, resetAt: number): PublishQueue {
  return { ...queue, heldUntil: Math.max(resetAt, queue.heldUntil ?? 0) };
}

/**
 * A transient failure: retry with exponential backoff (or after `delayMs`, e.g. 0 when a renewed
 * token is worth trying at once), or give up after MAX_TRANSIENT_FAILURES.
 */
export function failedTransiently(queue: PublishQueue, postId: string, now: number, delayMs?: number): { queue: PublishQueue; gaveUp: boolean } {
  const entry = queue.entries.find((candidate) => candidate.postId === postId);
  if (!entry) return { queue, gaveUp: false };
  const failures = entry.transientFailures + 1;
  if (failures >= MAX_TRANSIENT_FAILURES) return { queue: remove(queue, postId).queue, gaveUp: true };
  const retried = { ...entry, transientFailures: failures, retryAt: now + (delayMs ?? FIRST_RETRY_MS * 2 ** (failures - 1)) };
  return { queue: { ...queue, entries: queue.entries.map((candidate) => (candidate === entry ? retried : candidate)) }, gaveUp: false };
}

function withoutOverdue(queue: PublishQueue, postIds: string[]): PublishQueue {
  if (!queue.overdue) return queue;
  const remaining = queue.overdue.postIds.filter((id) => !postIds.includes(id));
  return { ...queue, overdue: remaining.length > 0 ? { ...queue.overdue, postIds: remaining } : undefined };
}
