import { describe, expect, it } from 'vitest';
import { afterConnect, projectionAfterConnect, projectionOf } from '../../../workflows/lifecycle/projection.js';
import { startLifecycle, transition } from '../../../workflows/lifecycle/state.js';
import type { TokenPolicy } from '../../../platforms/types.js';

// The projection the one-activity connect writes must be the one the workflow computes after it
// (Account.record skips its own write only when they are identical).

const NOW = Date.UTC(2026, 0, 1);
const X: TokenPolicy = { renewal: 'rotatingRefresh', refreshIdleSec: 180 * 86_400 };
const facts = { policy: X, lifetimes: { accessSec: 7200, refreshSec: 180 * 86_400 } };
const start = { accountId: 'acc-1', config: { checkEveryMs: 86_400_000 }, schemaVersion: 2 } as const;

describe('projection after a connect', () => {
  it('a first connect: the projection of the started lifecycle, with the same time and jitter', () => {
    const started = startLifecycle({ ...start, platform: 'x' }, { now: NOW, jitter: 0.3, ...facts });
    expect(afterConnect({ start, now: NOW, jitter: 0.3 }, 'x', facts)).toEqual(started);
    const projection = projectionAfterConnect({ start, now: NOW, jitter: 0.3 }, 'x', facts);
    expect(projection).toEqual(projectionOf(started.state));
    expect(projection).toMatchObject({ status: 'active', queuePaused: false, lastCheckedAt: NOW });
  });

  it('a reconnect: the `reconnected` transition of the lifecycle it was given (an expired one becomes active)', () => {
    const lifecycle = startLifecycle({ ...start, platform: 'x' }, { now: NOW, jitter: 0.3, ...facts }).state;
    const expired = transition(lifecycle, { type: 'revokedByPlatform', reason: { code: 'app_removed' }, now: NOW + 1000 }).state;
    expect(expired.status).toBe('expired');
    const later = NOW + 60_000;
    const expected = transition(expired, { type: 'reconnected', now: later, jitter: 0.7, ...facts });
    expect(afterConnect({ lifecycle: expired, start, now: later, jitter: 0.7 }, 'x', facts)).toEqual(expected);
    expect(projectionAfterConnect({ lifecycle: expired, start, now: later, jitter: 0.7 }, 'x', facts)).toEqual(projectionOf(expected.state));
    expect(projectionOf(expected.state)).toMatchObject({ status: 'active', queuePaused: false });
  });

  it('the jitter and time the workflow reserved decide it: another jitter plans another check', () => {
    const one = projectionAfterConnect({ start, now: NOW, jitter: 0.1 }, 'x', facts);
    const other = projectionAfterConnect({ start, now: NOW, jitter: 0.9 }, 'x', facts);
    expect(one?.nextCheckAt).not.toBe(other?.nextCheckAt);
  });
});
