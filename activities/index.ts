import type { Models } from '../db/models/index.js';
import { diagnosticActivities } from './diagnostics.js';

export interface ActivityDeps {
  models: Models;
  workerIdentity: string;
}

/** All activities, built from their dependencies so tests pass real ones without module mocking. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...diagnosticActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
