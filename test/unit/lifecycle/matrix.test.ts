// Every status × every event, table-driven, for both schemas (the current renew-by-need rules and the
// legacy rules old histories replay with). Live statuses appear idle and with an operation running.
import { describe, expect, it } from 'vitest';
import { transition } from '../../../workflows/lifecycle/state.js';
import { nextWakeAt } from '../../../workflows/lifecycle/schedule.js';
import type { LifecycleEvent, LifecycleEventType, LifecycleState, LifecycleStatus, SchemaVersion } from '../../../workflows/lifecycle/types.js';
import { connect, DAY, deepFreeze, LIFETIMES, MIN, POLICIES, reauth, SEC, T0, transient } from './support.js';

interface Fixture {
  state: LifecycleState;
  now: number;
}

function must(result: { state: LifecycleState }): LifecycleState {
  return result.state;
}

function buildFixtures(schemaVersion: SchemaVersion): Record<string, Fixture> {
  const activeIdle = connect('x', POLICIES.rotating, LIFETIMES.x, { schemaVersion }).state;
  const activeRenewing = must(transition(activeIdle, { type: 'refreshRequested', now: T0 + MIN }));
  const facebook = connect('facebook', POLICIES.validate, LIFETIMES.facebookPage, { schemaVersion }).state;
  const activeValidating = must(transition(facebook, { type: 'refreshRequested', now: T0 + MIN }));

  // Threads token whose renewals keep failing inside its warning window → expiring.
  let threads = connect('threads', POLICIES.exchange, LIFETIMES.threads, { jitter: 1, schemaVersion }).state;
  let clock = T0 + 53 * DAY;
  while (threads.status !== 'expiring') {
    threads = must(transition(threads, { type: 'wake', now: clock }));
    threads = must(transition(threads, { type: 'renewalFailed', now: clock + SEC, failure: transient(), jitter: 0.5 }));
    clock = nextWakeAt(threads)!;
  }
  const expiringIdle = threads;
  const expiringRenewing = must(transition(expiringIdle, { type: 'wake', now: clock }));

  const expired = must(transition(activeRenewing, { type: 'renewalFailed', now: T0 + 90 * SEC, failure: reauth(), jitter: 0.5 }));
  const disconnected = must(transition(activeIdle, { type: 'disconnectRequested', now: T0 + 90 * SEC }));

  return {
    activeIdle: { state: activeIdle, now: T0 + 2 * MIN },
    activeRenewing: { state: activeRenewing, now: T0 + 2 * MIN },
    activeValidating: { state: activeValidating, now: T0 + 2 * MIN },
    expiringIdle: { state: expiringIdle, now: clock - 10 * SEC },
    expiringRenewing: { state: expiringRenewing, now: clock + SEC },
    expired: { state: expired, now: T0 + 2 * MIN },
    disconnected: { state: disconnected, now: T0 + 2 * MIN },
  };
}

const SCHEMAS: SchemaVersion[] = [2, 1];
const fixturesOf = Object.fromEntries(SCHEMAS.map((schemaVersion) => [schemaVersion, buildFixtures(schemaVersion)])) as Record<SchemaVersion, Record<string, Fixture>>;
for (const fixtures of Object.values(fixturesOf)) for (const fixture of Object.values(fixtures)) deepFreeze(fixture.state);

type EventName =
  | Exclude<LifecycleEventType, 'renewalFailed' | 'validationFailed' | 'nextPostChanged' | 'rulesMigrated'>
  | 'renewalFailed:transient'
  | 'renewalFailed:reauth'
  | 'validationFailed:transient'
  | 'validationFailed:reauth';

function makeEvent(name: EventName, fixture: Fixture): LifecycleEvent {
  const now = fixture.now;
  const { policy } = fixture.state;
  const lifetimes = policy.renewal === 'exchange' ? LIFETIMES.threads : policy.renewal === 'validate' ? LIFETIMES.facebookPage : LIFETIMES.x;
  switch (name) {
    case 'connected':
    case 'reconnected':
      return { type: name, now, policy, lifetimes, jitter: 0.5 };
    case 'renewalSucceeded':
      return { type: name, now, lifetimes, jitter: 0.5 };
    case 'renewalFailed:transient':
      return { type: 'renewalFailed', now, failure: transient(), jitter: 0.5 };
    case 'renewalFailed:reauth':
      return { type: 'renewalFailed', now, failure: reauth(), jitter: 0.5 };
    case 'validationSucceeded':
      return { type: name, now, dataAccessSec: 90 * 86400, jitter: 0.5 };
    case 'validationFailed:transient':
      return { type: 'validationFailed', now, failure: transient(), jitter: 0.5 };
    case 'validationFailed:reauth':
      return { type: 'validationFailed', now, failure: reauth(), jitter: 0.5 };
    case 'revokedByPlatform':
      return { type: name, now, reason: { code: 'app_removed', message: 'You removed Tether in the platform settings' } };
    default:
      return { type: name, now };
  }
}

const EXPIRE = ['recordStatus', 'notify'];
const DISCONNECT = ['revoke', 'recordStatus', 'notify'];
type Row = [LifecycleStatus, string[]];
const same = (status: LifecycleStatus): Row => [status, []];

// fixture → event → [status after, effect types in order]
const TABLE: Record<string, Record<EventName, Row>> = {
  activeIdle: {
    connected: ['active', ['recordStatus']],
    reconnected: ['active', ['recordStatus']],
    renewalSucceeded: same('active'),
    'renewalFailed:transient': same('active'),
    'renewalFailed:reauth': same('active'),
    validationSucceeded: same('active'),
    'validationFailed:transient': same('active'),
    'validationFailed:reauth': same('active'),
    wake: same('active'),
    refreshRequested: ['active', ['recordStatus', 'renew']],
    accessTokenRejected: ['active', ['recordStatus', 'renew']],
    revokedByPlatform: ['expired', EXPIRE],
    disconnectRequested: ['disconnected', DISCONNECT],
  },
  activeRenewing: {
    connected: ['active', ['recordStatus']],
    reconnected: ['active', ['recordStatus']],
    renewalSucceeded: ['active', ['recordStatus']],
    'renewalFailed:transient': ['active', ['recordStatus']],
    'renewalFailed:reauth': ['expired', EXPIRE],
    validationSucceeded: same('active'),
    'validationFailed:transient': same('active'),
    'validationFailed:reauth': same('active'),
    wake: same('active'),
    refreshRequested: same('active'),
    accessTokenRejected: same('active'),
    revokedByPlatform: ['expired', EXPIRE],
    disconnectRequested: ['disconnected', DISCONNECT],
  },
  activeValidating: {
    connected: ['active', ['recordStatus']],
    reconnected: ['active', ['recordStatus']],
    renewalSucceeded: same('active'),
    'renewalFailed:transient': same('active'),
    'renewalFailed:reauth': same('active'),
    validationSucceeded: ['active', ['recordStatus']],
    'validationFailed:transient': ['active', ['recordStatus']],
    'validationFailed:reauth': ['expired', EXPIRE],
    wake: same('active'),
    refreshRequested: same('active'),
    accessTokenRejected: same('active'),
    revokedByPlatform: ['expired', EXPIRE],
    disconnectRequested: ['disconnected', DISCONNECT],
  },
  expiringIdle: {
    connected: ['active', ['recordStatus', 'notify']],
    reconnected: ['active', ['recordStatus', 'notify']],
    renewalSucceeded: same('expiring'),
    'renewalFailed:transient': same('expiring'),
    'renewalFailed:reauth': same('expiring'),
    validationSucceeded: same('expiring'),
    'validationFailed:transient': same('expiring'),
    'validationFailed:reauth': same('expiring'),
    wake: same('expiring'),
    refreshRequested: ['expiring', ['recordStatus', 'renew']],
    accessTokenRejected: ['expiring', ['recordStatus', 'renew']],
    revokedByPlatform: ['expired', EXPIRE],
    disconnectRequested: ['disconnected', DISCONNECT],
  },
  expiringRenewing: {
    connected: ['active', ['recordStatus', 'notify']],
    reconnected: ['active', ['recordStatus', 'notify']],
    renewalSucceeded: ['active', ['recordStatus', 'notify']],
    'renewalFailed:transient': ['expiring', ['recordStatus']],
    'renewalFailed:reauth': ['expired', EXPIRE],
    validationSucceeded: same('expiring'),
    'validationFailed:transient': same('expiring'),
    'validationFailed:reauth': same('expiring'),
    wake: same('expiring'),
    refreshRequested: same('expiring'),
    accessTokenRejected: same('expiring'),
    revokedByPlatform: ['expired', EXPIRE],
    disconnectRequested: ['disconnected', DISCONNECT],
  },
  expired: {
    connected: ['active', ['recordStatus', 'notify']],
    reconnected: ['active', ['recordStatus', 'notify']],
    renewalSucceeded: same('expired'),
    'renewalFailed:transient': same('expired'),
    'renewalFailed:reauth': same('expired'),
    validationSucceeded: same('expired'),
    'validationFailed:transient': same('expired'),
    'validationFailed:reauth': same('expired'),
    wake: same('expired'),
    refreshRequested: same('expired'),
    accessTokenRejected: same('expired'),
    revokedByPlatform: ['expired', ['recordStatus']],
    disconnectRequested: ['disconnected', DISCONNECT],
  },
  disconnected: {
    connected: same('disconnected'),
    reconnected: same('disconnected'),
    renewalSucceeded: same('disconnected'),
    'renewalFailed:transient': same('disconnected'),
    'renewalFailed:reauth': same('disconnected'),
    validationSucceeded: same('disconnected'),
    'validationFailed:transient': same('disconnected'),
    'validationFailed:reauth': same('disconnected'),
    wake: same('disconnected'),
    refreshRequested: same('disconnected'),
    accessTokenRejected: same('disconnected'),
    revokedByPlatform: same('disconnected'),
    disconnectRequested: same('disconnected'),
  },
};

/**
 * Schema 2 records nothing when an operation merely starts (the wait for its result is not shown):
 * the operation's activity records its outcome. Schema 1 recorded the start too.
 */
function effectsIn(schemaVersion: SchemaVersion, effects: string[]): string[] {
  const startOnly = effects.length === 2 && effects[0] === 'recordStatus' && (effects[1] === 'renew' || effects[1] === 'validate');
  return schemaVersion === 2 && startOnly ? effects.slice(1) : effects;
}

const EXPECTED_NOTIFY: Partial<Record<string, Partial<Record<EventName, string>>>> = {
  expiringIdle: { connected: 'reconnected', reconnected: 'reconnected', revokedByPlatform: 'expired', disconnectRequested: 'disconnected' },
  expiringRenewing: { connected: 'reconnected', reconnected: 'reconnected', renewalSucceeded: 'recovered' },
  expired: { connected: 'reconnected', reconnected: 'reconnected' },
};

describe.each(SCHEMAS)('schema %i', (schemaVersion) => {
const fixtures = fixturesOf[schemaVersion];

describe('fixtures', () => {
  it('cover every status', () => {
    expect(Object.values(fixtures).every((f) => f.state.schemaVersion === schemaVersion)).toBe(true);
    expect(Object.values(fixtures).map((f) => f.state.status).sort()).toEqual(
      ['active', 'active', 'active', 'disconnected', 'expired', 'expiring', 'expiring'].sort(),
    );
    expect(fixtures.activeRenewing!.state.inFlight?.op).toBe('renew');
    expect(fixtures.activeValidating!.state.inFlight?.op).toBe('validate');
    expect(fixtures.expiringRenewing!.state.inFlight?.op).toBe('renew');
    expect(fixtures.expiringIdle!.state.inFlight).toBeUndefined();
  });
});

describe('status × event', () => {
  const rows = Object.entries(TABLE).flatMap(([fixtureName, events]) =>
    Object.entries(events).map(([eventName, [status, effects]]) => ({ fixtureName, eventName: eventName as EventName, status, effects: effectsIn(schemaVersion, effects) })),
  );

  it.each(rows)('$fixtureName + $eventName → $status $effects', ({ fixtureName, eventName, status, effects }) => {
    const fixture = fixtures[fixtureName]!;
    const event = makeEvent(eventName, fixture);
    const result = transition(fixture.state, event); // the fixture is frozen: mutation would throw
    expect(result.state.status).toBe(status);
    expect(result.effects.map((effect) => effect.type)).toEqual(effects);

    const notifies = result.effects.filter((effect) => effect.type === 'notify');
    expect(result.state.transitions - fixture.state.transitions).toBe(notifies.length);
    expect(notifies.length).toBe(status !== fixture.state.status ? 1 : (EXPECTED_NOTIFY[fixtureName]?.[eventName] ? 1 : 0));
    for (const notify of notifies) {
      if (notify.type !== 'notify') continue;
      expect(notify.dedupeKey).toBe(`${fixture.state.accountId}:${result.state.transitions}`);
      const expectedKind = EXPECTED_NOTIFY[fixtureName]?.[eventName] ?? (status === 'expired' ? 'expired' : status === 'disconnected' ? 'disconnected' : undefined);
      expect(notify.kind).toBe(expectedKind);
      if (notify.kind === 'expired') expect(notify.reason).toEqual(result.state.reason);
    }
    if (status === 'expired' && fixture.state.status !== 'expired') {
      expect(result.state.reason).toEqual(eventName === 'revokedByPlatform' ? (event as { reason: unknown }).reason : { code: 'reauth_required', detail: 'Token has been expired or revoked.' });
      expect(nextWakeAt(result.state)).toBeUndefined();
    }
    if (effects.length === 0) expect(result.state).toEqual(fixture.state);
  });
});

describe('malformed input never throws', () => {
  const garbage = [
    { type: 'teleport', now: T0 },
    { type: 'wake' },
    { type: 'wake', now: Number.NaN },
    null,
    { type: 'renewalSucceeded', now: T0 + 2 * MIN, lifetimes: { accessSec: Number.NaN, refreshSec: -5 }, jitter: 99 },
    { type: 'renewalFailed', now: T0 + 2 * MIN, failure: { kind: 'rateLimited', resetAt: 'not a date', message: '' }, jitter: -1 },
  ];
  it.each(Object.keys(fixtures))('%s', (name) => {
    const fixture = fixtures[name]!;
    for (const event of garbage) {
      expect(() => transition(fixture.state, event as unknown as LifecycleEvent)).not.toThrow();
      const result = transition(fixture.state, event as unknown as LifecycleEvent);
      expect(() => nextWakeAt(result.state)).not.toThrow();
      expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
    }
  });
});
});

describe('events of the renew-by-need schema on every status', () => {
  const rows = SCHEMAS.flatMap((schemaVersion) => Object.entries(fixturesOf[schemaVersion]).map(([name, fixture]) => ({ schemaVersion, name, fixture })));

  it.each(rows)('schema $schemaVersion $name + nextPostChanged → only the due time moves, no effects', ({ schemaVersion, fixture }) => {
    const dueAt = fixture.now + 3 * DAY;
    const result = transition(fixture.state, { type: 'nextPostChanged', now: fixture.now, dueAt });
    expect(result.effects).toEqual([]);
    const moved = schemaVersion === 2 && fixture.state.status !== 'disconnected';
    expect(result.state).toEqual(moved ? { ...fixture.state, nextPostAt: dueAt } : fixture.state);
    expect(transition(result.state, { type: 'nextPostChanged', now: fixture.now }).state).toEqual(fixture.state);
  });

  it.each(rows)('schema $schemaVersion $name + rulesMigrated → schema 2, recorded once', ({ schemaVersion, fixture }) => {
    const event = { type: 'rulesMigrated', now: fixture.now, policy: fixture.state.policy, config: { checkEveryMs: DAY }, jitter: 0.5 } as const;
    const result = transition(fixture.state, event);
    if (schemaVersion === 2 || fixture.state.status === 'disconnected') {
      expect(result.effects).toEqual([]);
      expect(result.state).toEqual(fixture.state);
      return;
    }
    expect(result.state.schemaVersion).toBe(2);
    expect(result.state.status).toBe(fixture.state.status);
    expect(result.state.transitions).toBe(fixture.state.transitions);
    expect(result.state.validateAt).toBeUndefined();
    expect(result.effects.map((effect) => effect.type)).toEqual(['recordStatus']);
    // Migrating twice changes nothing more.
    expect(transition(result.state, event)).toEqual({ state: result.state, effects: [] });
  });
});
