import type { AccountStatus } from '../../db/models/account.js';
import type { AccountEventKind } from '../../db/models/account-event.js';

// Which timeline events a new status projection makes, given the one it replaces. Pure: the
// recorder (./recorder.ts) reads the previous status and writes what this answers.

export interface StatusChange {
  previous?: Pick<AccountStatus, 'state' | 'reason' | 'queuePaused' | 'updatedAt'>;
  next: Pick<AccountStatus, 'state' | 'reason' | 'queuePaused'>;
  /** The account's latest (re)connect. */
  connectedAt?: Date;
}

export interface TransitionEvent {
  kind: AccountEventKind;
  /** Appended to the status sequence: one event per (sequence, suffix). */
  suffix: string;
  /** Whether the event restates the lifecycle state (so the timeline draws a band from it). */
  carriesState: boolean;
}

/** Codes the platform uses to say it ended Tether's access (a deauthorization or revoke). */
const DEAUTHORIZED_CODES = new Set(['access_removed', 'token_revoked', 'app_removed', 'account_deactivated', 'account_suspended']);

function stateEvent(change: StatusChange): AccountEventKind | undefined {
  const { previous, next, connectedAt } = change;
  if (next.state === 'disconnected') return previous?.state === 'disconnected' ? undefined : 'disconnected';
  // A reconnect (connectedAt moved past the previous status) or a first status.
  const reconnectedSince = previous && connectedAt && connectedAt > previous.updatedAt;
  if (!previous || previous.state === 'disconnected') return 'connected';
  if (next.state === 'expired') {
    if (previous.state === 'expired') return undefined;
    return DEAUTHORIZED_CODES.has(next.reason?.code ?? '') ? 'deauthorized' : 'expired';
  }
  if (previous.state === 'expired' || reconnectedSince) return 'reconnected';
  if (next.state === 'expiring') return previous.state === 'expiring' && previous.reason?.code === next.reason?.code ? undefined : 'warning';
  if (previous.state === 'expiring') return 'recovered';
  return undefined;
}

export function transitionEvents(change: StatusChange): TransitionEvent[] {
  const events: TransitionEvent[] = [];
  const kind = stateEvent(change);
  if (kind) events.push({ kind, suffix: 'state', carriesState: true });
  const wasPaused = change.previous?.queuePaused ?? false;
  if (change.next.queuePaused !== wasPaused) events.push({ kind: change.next.queuePaused ? 'postsPaused' : 'postsResumed', suffix: 'queue', carriesState: false });
  return events;
}
