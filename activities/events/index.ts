import type { StatusObserver } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import { deliveryStatesOf } from '../../db/notifications.js';
import type { Failure } from '../../platforms/types.js';
import { projectionOf, validationEvent, type RecordRequest, type ValidationResult } from '../../workflows/lifecycle/projection.js';
import { transition } from '../../workflows/lifecycle/state.js';
import type { LifecycleActivities } from '../lifecycle/contract.js';
import { storedReason } from '../lifecycle/status.js';
import type { PublishingActivities, PublishResult, TargetRef } from '../publishing/contract.js';
import { eventRecorder, failureReason, type EventFacts } from './recorder.js';
import { transitionEvents } from './transitions.js';
import { withEvents, type TimelineOf } from './with-events.js';

// The account timeline (db/account-events.ts) written by the activities that cause its events:
// each activity of the workflow's contracts declares what its calls write (./with-events.ts), and
// status changes are told by the status write itself (`statusEvents`).

export interface EventDeps {
  models: Models;
  now?: () => number;
}

function failureEvent(failure: Failure, at: Date) {
  switch (failure.kind) {
    case 'rateLimited':
      return { reason: failureReason('rate_limited', failure.message, new Date(Date.parse(failure.resetAt) || at.getTime())) };
    case 'reauthRequired':
      return { reason: failureReason(failure.code, failure.message) };
    case 'transient':
      return { reason: failureReason('platform_unavailable', failure.message) };
    case 'invalid':
      return { reason: failureReason('rejected', failure.message) };
  }
}

const failedKind = (failure: Failure, otherwise: 'renewalFailed' | 'checkFailed') => (failure.kind === 'rateLimited' ? ('rateLimited' as const) : otherwise);

/** Until when Tether can act for the user after a passed check, as the workflow will record it (workflows from before renew by need send no lifecycle). */
function grantEndAfterCheck(record: RecordRequest | undefined, result: ValidationResult): Date | undefined {
  if (!record) return undefined;
  const end = projectionOf(transition(record.lifecycle, validationEvent(result, record.now, record.jitter)).state).grantExpiresAt;
  return end === undefined ? undefined : new Date(end);
}

/** The status changes a new projection makes (./transitions.ts), written before the projection itself. */
export function statusEvents(deps: EventDeps): StatusObserver {
  const events = eventRecorder(deps.models, () => new Date((deps.now ?? Date.now)()));
  return async ({ accountId, previous, next, connectedAt }) => {
    const reason = next.reason ? { reason: next.reason } : {};
    for (const change of transitionEvents({ previous, next, connectedAt })) {
      await events.record(`status:${next.sequence}:${change.suffix}`, { accountId, kind: change.kind, ...(change.carriesState ? { state: next.state } : {}), ...reason });
    }
  };
}

export function withLifecycleEvents(deps: EventDeps, activities: LifecycleActivities): LifecycleActivities {
  const clock = () => new Date((deps.now ?? Date.now)());
  const events = eventRecorder(deps.models, clock);
  const timeline: TimelineOf<LifecycleActivities> = {
    describeAccount: 'none',
    // Its outcome shows as the status it leads to (connected, reconnected, expired).
    inspectCredentials: 'none',
    // The same: its status write tells the change (statusEvents).
    connectCredentials: 'none',
    // The disconnect is the status write's event.
    revokeCredentials: 'none',
    // Its events come from the status write (statusEvents).
    recordStatus: 'none',

    async renewCredentials([input], settled, at) {
      if (!settled.ok) return;
      const result = settled.value;
      const now = clock();
      if (result.outcome === 'ok') {
        const accessSec = result.facts.lifetimes.accessSec;
        await events.recordForActivity('renewal', {
          accountId: input.accountId,
          at,
          kind: 'renewed',
          ...(accessSec === undefined ? {} : { expiresAt: new Date(now.getTime() + accessSec * 1000) }),
        });
      } else {
        await events.recordForActivity('renewal', { accountId: input.accountId, at, kind: failedKind(result.failure, 'renewalFailed'), ...failureEvent(result.failure, now) });
      }
    },

    async validateCredentials([input], settled, at) {
      if (!settled.ok) return;
      const { accountId, record } = typeof input === 'string' ? { accountId: input, record: undefined } : input;
      const result = settled.value;
      if (result.outcome === 'ok') {
        const grantEnd = grantEndAfterCheck(record, result);
        await events.recordForActivity('check', { accountId, at, kind: 'checked', ...(grantEnd ? { expiresAt: grantEnd } : {}) });
      } else {
        await events.recordForActivity('check', { accountId, at, kind: failedKind(result.failure, 'checkFailed'), ...failureEvent(result.failure, clock()) });
      }
    },

    async checkPremium([accountId], settled) {
      if (!settled.ok) return;
      const result = settled.value;
      const detail = result.outcome === 'ok' ? result.premium.subscriptionType : result.failure.message;
      await events.recordForActivity('premium', { accountId, kind: 'premiumChecked', detail, delivered: result.outcome === 'ok' });
    },

    // Every channel's outcome, whether or not the activity failed (a failed attempt and the later delivery are two events).
    async notify([input]) {
      const states = await deliveryStatesOf(deps.models, input.dedupeKey);
      const channels = [['dashboard', 'sent'], ['email', states?.email.state], ['webhook', states?.webhook.state]] as const;
      for (const [channel, state] of channels) {
        if (state !== 'sent' && state !== 'failed') continue;
        await events.record(`notify:${input.dedupeKey}:${channel}:${state}`, { accountId: input.accountId, kind: 'notificationSent', channel, delivered: state === 'sent', notice: input.kind });
      }
    },
  };
  return withEvents(activities, timeline, clock);
}

/** The timeline event of one publish attempt's result; none when the target was gone. */
function publishEvent(target: TargetRef, result: PublishResult): EventFacts | undefined {
  const base = { accountId: target.accountId, postId: target.postId };
  if (result.outcome === 'published') return { ...base, kind: 'postPublished', detail: result.url };
  if (result.outcome === 'rejected') return { ...base, kind: 'postFailed', reason: failureReason(result.reason.code, result.reason.message) };
  if (result.outcome !== 'gone') return { ...base, kind: 'postWaiting', reason: failureReason(result.reason.code, result.reason.message) };
  return undefined;
}

export function withPublishingEvents(deps: EventDeps, activities: PublishingActivities): PublishingActivities {
  const clock = () => new Date((deps.now ?? Date.now)());
  const events = eventRecorder(deps.models, clock);
  const timeline: TimelineOf<PublishingActivities> = {
    async publishPost([target], settled) {
      const facts = settled.ok ? publishEvent(target, settled.value) : undefined;
      if (facts) await events.recordForActivity('publish', facts);
    },
    // One write for the whole run, each post's event tagged with its post.
    async publishDuePosts([input], settled) {
      if (!settled.ok) return;
      const written = settled.value.flatMap((result, i) => {
        const postId = input.postIds[i]!;
        const facts = publishEvent({ accountId: input.accountId, postId }, result);
        return facts ? [{ tag: `publish:${postId}`, facts: { ...facts, at: new Date(result.at) } }] : [];
      });
      await events.recordAllForActivity(written);
    },
    async failTarget([input], settled) {
      if (!settled.ok) return;
      const reason = 'reason' in input ? failureReason(input.reason.code, input.reason.message) : storedReason(input.accountReason);
      await events.recordForActivity('publish', { accountId: input.accountId, postId: input.postId, kind: 'postFailed', reason });
    },
    // Skipped or moved by the user's own choice on the posts page: not something that happened to the account.
    settleOverdue: 'none',
    async failScheduledPosts([input], settled) {
      if (!settled.ok || settled.value === 0) return;
      const count = settled.value;
      await events.recordForActivity('publish', { accountId: input.accountId, kind: 'postFailed', detail: `${count} scheduled ${count === 1 ? 'post' : 'posts'}`, reason: failureReason(input.reason.code, input.reason.message) });
    },
  };
  return withEvents(activities, timeline, clock);
}
