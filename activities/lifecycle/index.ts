import type { LifecycleActivities } from './contract.js';
import { credentialActivities } from './credentials.js';
import { lifecycleContext, type LifecycleDeps } from './deps.js';
import { intakeActivities } from './intake.js';
import { notifyActivities } from './notify.js';
import { statusActivities } from './status.js';

export type { LifecycleDeps } from './deps.js';

/** The activities the account workflow calls (see contract.ts). */
export function lifecycleActivities(deps: LifecycleDeps): LifecycleActivities {
  const context = lifecycleContext(deps);
  return {
    ...statusActivities(context),
    ...intakeActivities(context),
    ...credentialActivities(context),
    ...notifyActivities(context),
  };
}
