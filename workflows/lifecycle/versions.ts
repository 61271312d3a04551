// Which timing rules a state follows: schema 1 the legacy rules, schema 2 renew by need.
import { legacyRules } from './legacy-rules.js';
import { needRules } from './need-rules.js';
import type { TimingRules } from './rules.js';
import type { LifecycleState } from './types.js';

/** The schema new lifecycles start with. */
export const CURRENT_SCHEMA = 2;

export function rulesOf(state: Pick<LifecycleState, 'schemaVersion'>): TimingRules {
  return state.schemaVersion === 2 ? needRules : legacyRules;
}
