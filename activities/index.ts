import type { Models } from '../db/models/index.js';
import type { AccountWorkflowTarget } from '../services/account-workflows/target.js';
import { diagnosticActivities } from './diagnostics.js';
import { statusEvents, withLifecycleEvents, withPublishingEvents } from './events/index.js';
import { lifecycleActivities, type LifecycleDeps } from './lifecycle/index.js';
import { publishingActivities } from './publishing/index.js';
import { reconcileActivities } from './reconcile.js';

export interface ActivityDeps extends LifecycleDeps {
  models: Models;
  workerIdentity: string;
  /** The Temporal client self-healing uses to start missing account workflows. */
  workflows?: AccountWorkflowTarget;
  /** How long account timeline events are kept (`config.accountEvents`); the self-healing sweep prunes older ones. */
  eventRetentionMs?: number;
}

/** All activities, built from their dependencies so tests pass real ones without module mocking. */
export function createActivities(deps: ActivityDeps) {
  const lifecycle = withLifecycleEvents(deps, lifecycleActivities({ ...deps, statusObserver: statusEvents(deps) }));
  return {
    ...diagnosticActivities(deps),
    ...lifecycle,
    ...withPublishingEvents(deps, publishingActivities(deps)),
    ...reconcileActivities({ models: deps.models, describeAccount: lifecycle.describeAccount, workflows: deps.workflows, eventRetentionMs: deps.eventRetentionMs }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
