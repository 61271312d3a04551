import { patched } from '@temporalio/workflow';

// Which lifecycle rules a workflow may use. Renew by need (lifecycle schema 2) arrived with the patch
// `renew-by-need`: a history recorded before it replays on the legacy rules (schema 1, in
// workflows/lifecycle/legacy-rules.ts), while a live workflow takes the patch on its next workflow
// task, migrates its state (Account.migrateIfDue) and records the marker, so its own history
// replays the same way. Remove this with legacy-rules.ts once no workflow started before the patch
// can still be running.
export const RENEW_BY_NEED = 'renew-by-need';

/** True unless replaying history recorded before the patch. Adds the patch marker when it first answers true. */
export function renewsByNeed(): boolean {
  return patched(RENEW_BY_NEED);
}
