import type { StatusObserver } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import { deliveryStatesOf } from '../../db/notifications.js';
import type { Failure } from '../../platforms/types.js';
import type { LifecycleActivities } from '../lifecycle/contract.js';
import type { PublishingActivities } from '../publishing/contract.js';
import { eventRecorder, failureReason, type EventRecorder } from './recorder.js';
import { transitionEvents } from './transitions.js';

// The account timeline (db/account-events.ts) written by the activities that cause its events:
// each activity is wrapped, and what it was asked and answered becomes the event. The activities
// themselves stay as they are.

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

export function withLifecycleEvents<T extends LifecycleActivities>(deps: EventDeps, activities: T): T {
  const clock = () => new Date((deps.now ?? Date.now)());
  const events: EventRecorder = eventRecorder(deps.models, clock);
  const { models } = deps;
  return {
    ...activities,

    async renewCredentials(input) {
      const result = await activities.renewCredentials(input);
      const now = clock();
      if (result.outcome === 'ok') {
        const accessSec = result.facts.lifetimes.accessSec;
        await events.recordForActivity('renewal', {
          accountId: input.accountId,
          kind: 'renewed',
          ...(accessSec === undefined ? {} : { expiresAt: new Date(now.getTime() + accessSec * 1000) }),
        });
      } else {
        const kind = result.failure.kind === 'rateLimited' ? 'rateLimited' : 'renewalFailed';
        await events.recordForActivity('renewal', { accountId: input.accountId, kind, ...failureEvent(result.failure, now) });
      }
      return result;
    },

    async validateCredentials(accountId) {
      const result = await activities.validateCredentials(accountId);
      const facts = result.outcome === 'ok' ? { kind: 'checked' as const } : { kind: result.failure.kind === 'rateLimited' ? ('rateLimited' as const) : ('checkFailed' as const), ...failureEvent(result.failure, clock()) };
      await events.recordForActivity('check', { accountId, ...facts });
      return result;
    },

    async checkPremium(accountId) {
      const result = await activities.checkPremium(accountId);
      const detail = result.outcome === 'ok' ? result.premium.subscriptionType : result.failure.message;
      await events.recordForActivity('premium', { accountId, kind: 'premiumChecked', detail, delivered: result.outcome === 'ok' });
      return result;
    },

    async notify(input) {
      let failure: unknown;
      try {
        await activities.notify(input);
      } catch (error) {
        failure = error;
      }
      const states = await deliveryStatesOf(models, input.dedupeKey);
      const channels = [['dashboard', 'sent'], ['email', states?.email.state], ['webhook', states?.webhook.state]] as const;
      for (const [channel, state] of channels) {
        if (state !== 'sent' && state !== 'failed') continue;
        // A failed attempt and the later delivery are two events; the same outcome twice is one.
        await events.record(`notify:${input.dedupeKey}:${channel}:${state}`, { accountId: input.accountId, kind: 'notificationSent', channel, delivered: state === 'sent', notice: input.kind });
      }
      if (failure) throw failure;
    },
  };
}

export function withPublishingEvents<T extends PublishingActivities>(deps: EventDeps, activities: T): T {
  const clock = () => new Date((deps.now ?? Date.now)());
  const events = eventRecorder(deps.models, clock);
  return {
    ...activities,
    async publishPost(target) {
      const result = await activities.publishPost(target);
      const base = { accountId: target.accountId, postId: target.postId };
      if (result.outcome === 'published') await events.recordForActivity('publish', { ...base, kind: 'postPublished', detail: result.url });
      else if (result.outcome === 'rejected') await events.recordForActivity('publish', { ...base, kind: 'postFailed', reason: failureReason(result.reason.code, result.reason.message) });
      else if (result.outcome !== 'gone') await events.recordForActivity('publish', { ...base, kind: 'postWaiting', reason: failureReason(result.reason.code, result.reason.message) });
      return result;
    },
    async failTarget(input) {
      await activities.failTarget(input);
      await events.recordForActivity('publish', { accountId: input.accountId, postId: input.postId, kind: 'postFailed', reason: failureReason(input.reason.code, input.reason.message) });
    },
  };
}
