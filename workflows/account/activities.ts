import { ActivityFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { LifecycleActivities, RenewInput } from '../../activities/lifecycle/contract.js';
import type { PublishingActivities } from '../../activities/publishing/contract.js';
import { PLATFORM_NAMES, type Failure, type PlatformId } from '../../platforms/types.js';
import { renewalTaskQueue } from './task-queues.js';

// The activities the account workflow runs, each with its timeouts, retries and the one-line
// summary Temporal UI shows for it.

/** Writes to MongoDB: retried until they land. */
const RECORDING = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } } as const;
/** One call to the platform: a few retries, then the lifecycle decides (a failed renewal is retried later). */
const PLATFORM_CALL = { startToCloseTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 } } as const;

export const { describeAccount } = proxyActivities<LifecycleActivities>({ ...RECORDING, summary: 'Read the account' });
export const { recordStatus } = proxyActivities<LifecycleActivities>({ ...RECORDING, summary: 'Record the status pages show' });
export const { notify } = proxyActivities<LifecycleActivities>({
  ...RECORDING,
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 8 },
  summary: 'Notify the owner (in-app, email, webhook)',
});
export const { connectCredentials } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Take the new credentials and record the status' });
export const { inspectCredentials } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Check the stored credentials' });
export const { validateCredentials } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Validate the token with the platform' });
export const { revokeCredentials } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Revoke at the platform and forget the tokens' });
export const { checkPremium } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Read X Premium status' });
// Retries here only cover crashes and infrastructure errors: the idempotency key makes a repeated call safe.
// A text post is one platform call and two writes; a video upload and its processing take minutes, so
// the attempt heartbeats and a crashed worker's attempt is retried once the heartbeats stop.
export const { publishPost } = proxyActivities<PublishingActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'Publish a post',
});
// Posts due together go out in one activity, one after another: it stops taking new posts after
// five minutes, so each post it took still has the single publish's 30 minutes.
export const { publishDuePosts } = proxyActivities<PublishingActivities>({
  startToCloseTimeout: '35 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'Publish the posts that are due',
});
export const { failTarget, settleOverdue, failScheduledPosts } = proxyActivities<PublishingActivities>({ ...RECORDING, summary: 'Record post outcomes' });

/** Renews on the platform's own renewal task queue, whose worker keeps to the platform's rate. */
export function renewCredentials(platform: PlatformId, input: RenewInput) {
  return proxyActivities<LifecycleActivities>({
    ...PLATFORM_CALL,
    taskQueue: renewalTaskQueue(workflowInfo().taskQueue, platform),
    summary: `Renew the ${PLATFORM_NAMES[platform]} token`,
  }).renewCredentials(input);
}

/** An activity that failed after its retries, as a transient failure: the caller tries again later. */
export function asFailure(error: unknown): Failure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return { kind: 'transient', message: `Tether could not complete the call: ${message}` };
}
