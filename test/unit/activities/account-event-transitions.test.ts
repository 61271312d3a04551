import { describe, expect, it } from 'vitest';
import { transitionEvents, type StatusChange } from '../../../activities/events/transitions.js';

const at = new Date('2027-01-10T10:00:00Z');
const status = (state: 'active' | 'expiring' | 'expired' | 'disconnected', extra: { code?: string; queuePaused?: boolean } = {}) => ({
  state,
  queuePaused: extra.queuePaused ?? false,
  updatedAt: at,
  ...(extra.code ? { reason: { code: extra.code } } : {}),
});
const kinds = (change: StatusChange) => transitionEvents(change).map((event) => event.kind);

describe('timeline events of a status change', () => {
  it('names the first status a connect, and a status after a disconnect a new connect', () => {
    expect(kinds({ next: status('active') })).toEqual(['connected']);
    expect(kinds({ previous: status('disconnected'), next: status('active') })).toEqual(['connected']);
  });

  it('tells a platform revoke from an expiry, and pauses the queue with it', () => {
    expect(kinds({ previous: status('active'), next: status('expired', { code: 'token_revoked', queuePaused: true }) })).toEqual(['deauthorized', 'postsPaused']);
    expect(kinds({ previous: status('expiring'), next: status('expired', { code: 'access_expired', queuePaused: true }) })).toEqual(['expired', 'postsPaused']);
    expect(kinds({ previous: status('expired', { queuePaused: true }), next: status('expired', { code: 'access_expired', queuePaused: true }) })).toEqual([]);
  });

  it('names a return from expired, or a (re)connect after the last status, a reconnect; a renewal that recovers is not one', () => {
    expect(kinds({ previous: status('expired', { queuePaused: true }), next: status('active') })).toEqual(['reconnected', 'postsResumed']);
    expect(kinds({ previous: status('active'), next: status('active'), connectedAt: new Date(at.getTime() + 1000) })).toEqual(['reconnected']);
    expect(kinds({ previous: status('expiring', { code: 'renewal_failing' }), next: status('active'), connectedAt: at })).toEqual(['recovered']);
  });

  it('warns once per reason, and records nothing for a status that only moves its next step', () => {
    expect(kinds({ previous: status('active'), next: status('expiring', { code: 'token_expiring' }) })).toEqual(['warning']);
    expect(kinds({ previous: status('expiring', { code: 'token_expiring' }), next: status('expiring', { code: 'token_expiring' }) })).toEqual([]);
    expect(kinds({ previous: status('expiring', { code: 'token_expiring' }), next: status('expiring', { code: 'renewal_failing' }) })).toEqual(['warning']);
    expect(kinds({ previous: status('active'), next: status('active', { code: 'rate_limited' }), connectedAt: at })).toEqual([]);
    expect(kinds({ previous: status('active'), next: status('disconnected') })).toEqual(['disconnected']);
  });
});
