// LEGACY (schema 1) timing rules: renew at 75–85 % of the access token's lifetime, validate
// 'validate' tokens on the policy's cadence. Workflows started before the `renew-by-need` patch
// replay their recorded histories with these rules; a running workflow moves to schema 2
// (need-rules.ts) on its first workflow task after the patch. Delete this module, with the
// `patched('renew-by-need')` branch in workflows/account/lifecycle-version.ts, once no workflow
// started before the patch can still be running.
import type { TokenPolicy } from '../../platforms/types.js';
import type { PlannedAction, TimingRules } from './rules.js';
import {
  clampJitter,
  IN_FLIGHT_TIMEOUT_MS,
  lastChanceBefore,
  lifetimeMs,
  MIN_OPERATION_DELAY_MS,
  plannedExchangeAt,
  renewalClosesAt,
  renewalOpensAt,
  SECOND,
  shareOfLifetime,
  worthRenewingAt,
} from './timing.js';
import type { TokenTimes } from './types.js';

export const DEFAULT_VALIDATE_EVERY_SEC = 24 * 60 * 60;

/**
 * When to renew a freshly issued token, or undefined when nothing can renew it (policy none/validate,
 * no access expiry, an 'exchange' token that dies before it is old enough, or a refresh token whose
 * last chance has already been used).
 */
export function plannedRenewalAt(policy: TokenPolicy, token: TokenTimes, jitter: number): number | undefined {
  if (policy.renewal === 'none' || policy.renewal === 'validate') return undefined;
  const { issuedAt, accessExpiresAt } = token;
  if (accessExpiresAt === undefined) return undefined;
  if (policy.renewal === 'exchange') return plannedExchangeAt(policy, token, jitter);
  const regular = shareOfLifetime(issuedAt, accessExpiresAt, jitter);
  const refreshEnd = token.refreshExpiresAt;
  if (refreshEnd === undefined) return regular;
  const lastChance = lastChanceBefore(issuedAt, refreshEnd, jitter);
  if (regular <= lastChance) return regular;
  // The regular time falls after the refresh token dies: renew once more just before it.
  return worthRenewingAt(token, lastChance) ? lastChance : undefined;
}

/** Next validation for the 'validate' policy: periodic, or just after a data-access deadline. */
export function plannedValidationAt(policy: TokenPolicy, token: TokenTimes, from: number, jitter: number): number | undefined {
  if (policy.renewal !== 'validate') return undefined;
  const configured = lifetimeMs(policy.validateEverySec);
  const every = configured !== undefined && configured > 0 ? configured : DEFAULT_VALIDATE_EVERY_SEC * SECOND;
  const periodic = from + Math.max(MIN_OPERATION_DELAY_MS, Math.round(every * (0.9 + 0.2 * clampJitter(jitter))));
  const dataAccessEnd = token.dataAccessExpiresAt;
  if (dataAccessEnd !== undefined && dataAccessEnd > from && dataAccessEnd + MIN_OPERATION_DELAY_MS < periodic) {
    return dataAccessEnd + MIN_OPERATION_DELAY_MS;
  }
  return periodic;
}

export const legacyRules: TimingRules = {
  planIssued(state, now, jitter) {
    state.renewAt = plannedRenewalAt(state.policy, state.token, jitter);
    state.validateAt = plannedValidationAt(state.policy, state.token, now, jitter);
  },

  planValidated(state, now, jitter) {
    state.validateAt = plannedValidationAt(state.policy, state.token, now, jitter);
  },

  dueOperation(state, now) {
    const { retry } = state;
    if (retry && retry.at <= now) return { op: retry.op, trigger: 'retry' };
    if (state.renewAt !== undefined && state.renewAt <= now && retry?.op !== 'renew') {
      const opens = renewalOpensAt(state.policy, state.token);
      if (now >= opens) return { op: 'renew', trigger: 'scheduled' };
      state.renewAt = opens;
      return undefined;
    }
    if (state.validateAt !== undefined && state.validateAt <= now && retry?.op !== 'validate') return { op: 'validate', trigger: 'scheduled' };
    return undefined;
  },

  retryStake(state, _op, now) {
    // The nearest future moment a retry should beat: the access token's expiry or the renewal's last chance.
    const candidates = [state.token.accessExpiresAt, renewalClosesAt(state.policy, state.token)].filter((t): t is number => t !== undefined && t > now);
    const mustPrecede = candidates.length ? Math.min(...candidates) : undefined;
    const stakeMs = state.token.accessExpiresAt === undefined ? undefined : state.token.accessExpiresAt - state.token.issuedAt;
    return { mustPrecede, stakeMs };
  },

  renewsRefusedCheck: () => false,

  operationsAhead(state) {
    const { inFlight, retry } = state;
    if (inFlight) return [{ action: inFlight.op === 'renew' ? 'awaitRenewal' : 'awaitValidation', at: inFlight.since + IN_FLIGHT_TIMEOUT_MS }];
    const actions: PlannedAction[] = [];
    if (retry) actions.push({ action: retry.op === 'renew' ? 'retryRenewal' : 'retryValidation', at: retry.at });
    if (state.renewAt !== undefined && retry?.op !== 'renew') actions.push({ action: 'renew', at: state.renewAt });
    if (state.validateAt !== undefined && retry?.op !== 'validate') actions.push({ action: 'validate', at: state.validateAt });
    return actions;
  },

  hiddenWakeAt: () => undefined,

  visibleExtras: () => [],
};
