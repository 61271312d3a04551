// Test helpers: a seeded PRNG, common policies/tokens, and a tiny simulated shell that drives the
// lifecycle machine the way the workflow will (sleep until nextWakeAt, run effects, feed results).
import { prng } from '../../helpers/prng.js';
import type { Failure, PlatformId, TokenPolicy } from '../../../platforms/types.js';
import { startLifecycle, transition } from '../../../workflows/lifecycle/state.js';
import { nextWakeAt } from '../../../workflows/lifecycle/schedule.js';
import type { LifecycleConfig, LifecycleEffect, LifecycleEvent, LifecycleState, Lifetimes, SchemaVersion } from '../../../workflows/lifecycle/types.js';

export const SEC = 1_000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2027, 0, 1, 9, 0, 0);

export { prng };

export const POLICIES = {
  rotating: { renewal: 'rotatingRefresh' } as TokenPolicy,
  refresh: { renewal: 'refresh' } as TokenPolicy,
  exchange: { renewal: 'exchange', minTokenAgeSec: 24 * 3600 } as TokenPolicy,
  validate: { renewal: 'validate', validateEverySec: 24 * 3600 } as TokenPolicy,
  none: { renewal: 'none' } as TokenPolicy,
};

export const LIFETIMES = {
  x: { accessSec: 7200, refreshSec: 180 * 86400 } as Lifetimes,
  linkedin: { accessSec: 60 * 86400 } as Lifetimes,
  threads: { accessSec: 60 * 86400 } as Lifetimes,
  youtube: { accessSec: 3600 } as Lifetimes,
  facebookPage: { dataAccessSec: 90 * 86400 } as Lifetimes,
};

export const WARNING_LEAD_MS = 7 * DAY;

export interface ConnectOptions {
  now?: number;
  jitter?: number;
  accountId?: string;
  /** Default: the current schema (2, renew by need). */
  schemaVersion?: SchemaVersion;
  config?: Partial<LifecycleConfig>;
}

export function connect(
  platform: PlatformId,
  policy: TokenPolicy,
  lifetimes: Lifetimes,
  options: ConnectOptions = {},
): { state: LifecycleState; effects: LifecycleEffect[] } {
  return startLifecycle(
    { accountId: options.accountId ?? `acct-${platform}`, platform, config: { warningLeadMs: WARNING_LEAD_MS, ...options.config }, schemaVersion: options.schemaVersion },
    { now: options.now ?? T0, policy, lifetimes, jitter: options.jitter ?? 0.5 },
  );
}

/** A schema-1 lifecycle: the legacy rules workflows from before the `renew-by-need` patch replay with. */
export function connectLegacy(platform: PlatformId, policy: TokenPolicy, lifetimes: Lifetimes, options: ConnectOptions = {}) {
  return connect(platform, policy, lifetimes, { ...options, schemaVersion: 1 });
}

export type PlatformAnswer = { ok: true; lifetimes: Lifetimes; dataAccessSec?: number } | Failure;

export interface Step {
  event: LifecycleEvent;
  before: LifecycleState;
  state: LifecycleState;
  effects: LifecycleEffect[];
}

export interface SimOptions {
  /** Answers the renew/validate activities. */
  answer: (op: 'renew' | 'validate', now: number) => PlatformAnswer;
  latencyMs?: number;
  rng?: () => number;
  maxSteps?: number;
}

/** A simulated workflow shell. */
export class Sim {
  clock: number;
  readonly log: Step[] = [];
  private readonly rng: () => number;

  constructor(public state: LifecycleState, private readonly options: SimOptions, start = state.token.issuedAt) {
    this.clock = start;
    this.rng = options.rng ?? prng(1);
  }

  apply(event: LifecycleEvent): LifecycleEffect[] {
    const before = this.state;
    const { state, effects } = transition(before, event);
    this.log.push({ event, before, state, effects });
    this.state = state;
    for (const effect of effects) {
      if (effect.type !== 'renew' && effect.type !== 'validate') continue;
      const answer = this.options.answer(effect.type, this.clock);
      this.clock += this.options.latencyMs ?? 0;
      const now = this.clock;
      const jitter = this.rng();
      if ('ok' in answer) {
        this.apply(effect.type === 'renew'
          ? { type: 'renewalSucceeded', now, lifetimes: answer.lifetimes, jitter }
          : { type: 'validationSucceeded', now, dataAccessSec: answer.dataAccessSec, jitter });
      } else {
        this.apply({ type: effect.type === 'renew' ? 'renewalFailed' : 'validationFailed', now, failure: answer, jitter });
      }
    }
    return effects;
  }

  /** Sleep until each wake time up to `until`, then set the clock to `until`. */
  runUntil(until: number): void {
    const maxSteps = this.options.maxSteps ?? 200_000;
    for (let i = 0; i < maxSteps; i++) {
      const wake = nextWakeAt(this.state);
      if (wake === undefined || wake > until) {
        this.clock = Math.max(this.clock, until);
        return;
      }
      this.clock = Math.max(this.clock, wake);
      this.apply({ type: 'wake', now: this.clock });
    }
    throw new Error('simulation did not settle (the shell would spin)');
  }

  effectsOf(type: LifecycleEffect['type']): Array<{ at: number; effect: LifecycleEffect; step: Step }> {
    return this.log.flatMap((step) =>
      step.effects.filter((effect) => effect.type === type).map((effect) => ({ at: step.event.now, effect, step })),
    );
  }

  notifications(): Array<{ at: number; kind: string; deadline?: number; code?: string; dedupeKey: string }> {
    return this.effectsOf('notify').map(({ at, effect }) => {
      if (effect.type !== 'notify') throw new Error('unreachable');
      return { at, kind: effect.kind, deadline: effect.deadline, code: effect.reason?.code, dedupeKey: effect.dedupeKey };
    });
  }
}

export const ok = (lifetimes: Lifetimes, dataAccessSec?: number): PlatformAnswer => ({ ok: true, lifetimes, dataAccessSec });
export const transient = (message = '503 Service Unavailable'): Failure => ({ kind: 'transient', message });
export const reauth = (code = 'invalid_grant', message = 'Token has been expired or revoked.'): Failure => ({ kind: 'reauthRequired', code, message });
export const invalid = (message = 'malformed token response'): Failure => ({ kind: 'invalid', message });
export const rateLimited = (resetAt: number, message = '429 Too Many Requests'): Failure => ({
  kind: 'rateLimited',
  resetAt: new Date(resetAt).toISOString(),
  message,
});

/** Deep-freeze so a test fails if the machine mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
