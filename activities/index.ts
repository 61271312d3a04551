import type { Models } from '../db/models/index.js';
import type { AccountWorkflowTarget } from '../services/account-workflows/target.js';
import { diagnosticActivities } from './diagnostics.js';
import { lifecycleActivities, type LifecycleDeps } from './lifecycle/index.js';
import { publishingActivities } from './publishing/index.js';
import { reconcileActivities } from './reconcile.js';

export interface ActivityDeps extends LifecycleDeps {
  models: Models;
  workerIdentity: string;
  /** The Temporal client self-healing uses to start missing account workflows. */
  workflows?: AccountWorkflowTarget;
}

/** All activities, built from their dependencies so tests pass real ones without module mocking. */
export function createActivities(deps: ActivityDeps) {
  const lifecycle = lifecycleActivities(deps);
  return {
    ...diagnosticActivities(deps),
    ...lifecycle,
    ...publishingActivities(deps),
    ...reconcileActivities({ models: deps.models, describeAccount: lifecycle.describeAccount, workflows: deps.workflows }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
