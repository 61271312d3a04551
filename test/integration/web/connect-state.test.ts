import { describe, expect, it } from 'vitest';
import type { Session, SessionData } from 'express-session';
import { STATE_LIFETIME_MS, takeAuthorization, type PendingAuthorization } from '../../../web/connect/pending.js';

// The OAuth state check on its own: single use, bound to the platform, and short-lived.

const pending = (createdAt: number): PendingAuthorization => ({ platform: 'x', state: 'abc123-state', codeVerifier: 'verifier', penNameId: 'pen', createdAt });
const sessionWith = (authorization?: PendingAuthorization) => ({ connectAuthorization: authorization }) as unknown as Session & Partial<SessionData>;

describe('connect: OAuth state', () => {
  it('accepts the state it issued once, and nothing after', () => {
    const session = sessionWith(pending(Date.now()));
    expect(takeAuthorization(session, 'x', 'abc123-state')).toMatchObject({ ok: true, pending: { codeVerifier: 'verifier' } });
    expect(takeAuthorization(session, 'x', 'abc123-state')).toEqual({ ok: false, problem: 'missing' });
  });

  it('refuses a different state or platform, and forgets the pending one', () => {
    const tampered = sessionWith(pending(Date.now()));
    expect(takeAuthorization(tampered, 'x', 'abc123-statX')).toEqual({ ok: false, problem: 'mismatch' });
    expect(tampered.connectAuthorization).toBeUndefined();
    expect(takeAuthorization(sessionWith(pending(Date.now())), 'linkedin', 'abc123-state')).toEqual({ ok: false, problem: 'mismatch' });
    expect(takeAuthorization(sessionWith(pending(Date.now())), 'x', ['abc123-state'])).toEqual({ ok: false, problem: 'missing' });
  });

  it('refuses a state older than its lifetime', () => {
    const now = Date.now();
    expect(takeAuthorization(sessionWith(pending(now - STATE_LIFETIME_MS - 1)), 'x', 'abc123-state', now)).toEqual({ ok: false, problem: 'expired' });
    expect(takeAuthorization(sessionWith(pending(now - STATE_LIFETIME_MS + 1000)), 'x', 'abc123-state', now).ok).toBe(true);
  });
});
