// Schema 2 timing rules: renew by need, not by the access token's lifetime. An access token may sit
// expired between uses; what must stay alive is the grant (can Tether still act for the user). So:
// - (a) before a post: renew a lead before its due time when the access token would be dead then;
// - (b) before the grant ages out: a sliding refresh end (or an unused-refresh-token limit) is
//   renewed at 75–85 % of its life, an exchange token likewise; a fixed refresh end gets one last
//   renewal just before it, then the warning rule warns;
// - (c) a health check on the configured cadence (default daily, jittered up by ≤ 10 %): a validation
//   while the access token lives when the platform can inspect tokens, otherwise a renewal;
// - (d) on request (state.ts).
import type { TokenPolicy } from '../../platforms/types.js';
import type { PlannedAction, TimingRules } from './rules.js';
import {
  clampJitter,
  DAY,
  IN_FLIGHT_TIMEOUT_MS,
  lastChanceBefore,
  MIN_OPERATION_DELAY_MS,
  MINUTE,
  plannedExchangeAt,
  renewalClosesAt,
  renewalOpensAt,
  renews,
  shareOfLifetime,
  worthRenewingAt,
} from './timing.js';
import type { LifecycleConfig, LifecycleState, Operation, TokenTimes } from './types.js';

export const DEFAULT_CHECK_EVERY_MS = DAY;
/** Health checks come every cadence × (1 + 0.1 × jitter): never more often than configured. */
export const CHECK_JITTER_SHARE = 0.1;
export const DEFAULT_PUBLISH_LEAD_MS = 10 * MINUTE;
/** A post's access token must outlive its due time by this much (publishing and its retries take time). */
export const PUBLISH_MARGIN_MS = 10 * MINUTE;
/** A check inspects the access token only while it lives at least this much longer (a quarter of short lifetimes). */
export const CHECK_ACCESS_MARGIN_MS = MINUTE;
/** Lead and margin never exceed this share of the access lifetime (sandbox tokens live seconds). */
const ACCESS_LIFETIME_SHARE = 0.25;

/** When the grant would age out without a renewal, renew it: undefined when nothing ages or nothing can renew. */
export function plannedGrantRenewalAt(policy: TokenPolicy, token: TokenTimes, jitter: number): number | undefined {
  if (policy.renewal === 'exchange') return plannedExchangeAt(policy, token, jitter);
  if (policy.renewal !== 'refresh' && policy.renewal !== 'rotatingRefresh') return undefined;
  const end = token.refreshExpiresAt;
  if (end === undefined) return undefined;
  const since = token.refreshIssuedAt ?? token.issuedAt;
  // A refresh end that the last renewal did not move is fixed, whatever the policy says.
  const fixed = policy.refreshEnd === 'fixed' || since < token.issuedAt;
  if (!fixed) return shareOfLifetime(since, end, jitter);
  const lastChance = lastChanceBefore(token.issuedAt, end, jitter);
  return worthRenewingAt(token, lastChance) ? lastChance : undefined;
}

/** Whether a health check is possible at all for this policy. */
function checkable(policy: TokenPolicy): boolean {
  return policy.renewal === 'validate' || policy.check === 'inspect' || renews(policy);
}

function checkEvery(config: LifecycleConfig): number {
  const configured = config.checkEveryMs;
  return Math.max(MIN_OPERATION_DELAY_MS, typeof configured === 'number' && configured > 0 ? configured : DEFAULT_CHECK_EVERY_MS);
}

/** The next health check after `from`: periodic, or just after a Facebook-style data-access deadline. */
export function plannedCheckAt(state: Pick<LifecycleState, 'policy' | 'token' | 'config'>, from: number, jitter: number): number | undefined {
  if (!checkable(state.policy)) return undefined;
  const periodic = from + Math.round(checkEvery(state.config) * (1 + CHECK_JITTER_SHARE * clampJitter(jitter)));
  const dataAccessEnd = state.token.dataAccessExpiresAt;
  if (state.policy.renewal === 'validate' && dataAccessEnd !== undefined && dataAccessEnd > from && dataAccessEnd + MIN_OPERATION_DELAY_MS < periodic) {
    return dataAccessEnd + MIN_OPERATION_DELAY_MS;
  }
  return periodic;
}

/** How a health check is made now: a validation while the token can be inspected, else a renewal; undefined when neither can. */
export function checkOperation(state: LifecycleState, now: number): Operation | undefined {
  const { policy, token } = state;
  if (policy.renewal === 'validate') return 'validate';
  const lifetime = accessLifetime(token);
  const alive = lifetime === undefined || token.accessExpiresAt! > now + Math.min(CHECK_ACCESS_MARGIN_MS, lifetime * ACCESS_LIFETIME_SHARE);
  if (policy.check === 'inspect' && alive) return 'validate';
  if (canRenewAt(state, now)) return 'renew';
  return undefined;
}

function canRenewAt(state: LifecycleState, now: number): boolean {
  if (!renews(state.policy)) return false;
  const closes = renewalClosesAt(state.policy, state.token);
  return now >= renewalOpensAt(state.policy, state.token) && (closes === undefined || now < closes);
}

/** A number in 0..1 from the account and the due time (FNV-1a): spreads renewals for posts due together. */
export function spreadOf(accountId: string, dueAt: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${accountId}:${dueAt}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

function accessLifetime(token: TokenTimes): number | undefined {
  return token.accessExpiresAt === undefined ? undefined : Math.max(0, token.accessExpiresAt - token.issuedAt);
}

/** The access token would be dead (or about to die) when this post is due. */
function deadAtPost(state: LifecycleState, dueAt: number): boolean {
  const lifetime = accessLifetime(state.token);
  if (lifetime === undefined) return false;
  return state.token.accessExpiresAt! <= dueAt + Math.min(PUBLISH_MARGIN_MS, lifetime * ACCESS_LIFETIME_SHARE);
}

/**
 * When to renew for the next post: when its access token would be dead by its due time, a lead
 * before it (spread over the lead's earlier half so posts due together do not renew in one
 * instant), once per post. Undefined when no post needs it, or it was already renewed for.
 */
export function postRenewalAt(state: LifecycleState): number | undefined {
  const dueAt = state.nextPostAt;
  if (dueAt === undefined || !renews(state.policy) || state.postRenewalFor === dueAt || !deadAtPost(state, dueAt)) return undefined;
  const lifetime = accessLifetime(state.token)!;
  const configured = state.config.publishLeadMs;
  const lead = Math.min(typeof configured === 'number' && configured >= 0 ? configured : DEFAULT_PUBLISH_LEAD_MS, lifetime * ACCESS_LIFETIME_SHARE);
  const start = Math.round(dueAt - lead * (1 - 0.5 * spreadOf(state.accountId, dueAt)));
  if (state.token.issuedAt >= start) return undefined; // renewed inside the window already
  const closes = renewalClosesAt(state.policy, state.token);
  if (closes !== undefined && start >= closes) return undefined; // the grant ends first: the warning rule speaks
  return Math.max(start, renewalOpensAt(state.policy, state.token));
}

export const needRules: TimingRules = {
  planIssued(state, now, jitter, fresh) {
    state.renewAt = plannedGrantRenewalAt(state.policy, state.token, jitter);
    state.checkAt = plannedCheckAt(state, now, jitter);
    state.lastCheckedAt = now;
    state.lastRenewedAt = fresh ? undefined : now;
    state.validateAt = undefined;
  },

  planValidated(state, now, jitter) {
    state.lastCheckedAt = now;
    state.checkAt = plannedCheckAt(state, now, jitter);
  },

  dueOperation(state, now) {
    const { retry } = state;
    if (retry && retry.at <= now) return { op: retry.op, trigger: 'retry' };
    const forPost = postRenewalAt(state);
    if (forPost !== undefined && forPost <= now) {
      state.postRenewalFor = state.nextPostAt;
      return { op: 'renew', trigger: 'post' };
    }
    if (state.renewAt !== undefined && state.renewAt <= now && retry?.op !== 'renew') {
      const opens = renewalOpensAt(state.policy, state.token);
      if (now >= opens) return { op: 'renew', trigger: 'grant' };
      state.renewAt = opens;
    }
    if (state.checkAt !== undefined && state.checkAt <= now && !retry) {
      const op = checkOperation(state, now);
      if (op) return { op, trigger: 'check' };
      state.checkAt = plannedCheckAt(state, now, 0.5); // nothing can check now; try again next period
    }
    return undefined;
  },

  retryStake(state, _op, now) {
    const { policy, token, nextPostAt } = state;
    const candidates = [renewalClosesAt(policy, token)];
    // A token nothing renews dies with its access token.
    if (!renews(policy)) candidates.push(token.accessExpiresAt);
    if (nextPostAt !== undefined && deadAtPost(state, nextPostAt)) candidates.push(nextPostAt);
    const ahead = candidates.filter((t): t is number => t !== undefined && t > now);
    const mustPrecede = ahead.length ? Math.min(...ahead) : undefined;
    // A retry never waits longer than the check cadence it stands in for.
    const stakeMs = Math.min(mustPrecede === undefined ? Infinity : mustPrecede - now, checkEvery(state.config));
    return { mustPrecede, stakeMs };
  },

  renewsRefusedCheck(state, now) {
    const { policy } = state;
    return (policy.renewal === 'refresh' || policy.renewal === 'rotatingRefresh') && canRenewAt(state, now) && state.rejectedTokenIssuedAt !== state.token.issuedAt;
  },

  operationsAhead(state) {
    const { inFlight, retry } = state;
    if (inFlight) return [{ action: inFlight.op === 'renew' ? 'awaitRenewal' : 'awaitCheck', at: inFlight.since + IN_FLIGHT_TIMEOUT_MS }];
    const actions: PlannedAction[] = [];
    if (retry) actions.push({ action: retry.op === 'renew' ? 'retryRenewal' : 'retryCheck', at: retry.at });
    if (state.renewAt !== undefined && retry?.op !== 'renew') actions.push({ action: 'renewGrant', at: state.renewAt });
    if (state.checkAt !== undefined && !retry) actions.push({ action: 'check', at: state.checkAt });
    return actions;
  },

  hiddenWakeAt: (state) => (state.inFlight ? undefined : postRenewalAt(state)),

  visibleExtras: (state) => [state.lastCheckedAt ?? null, state.checkAt ?? null, state.lastRenewedAt ?? null],
};

