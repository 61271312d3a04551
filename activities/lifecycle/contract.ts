// What the account workflow exchanges with its activities. Only ids, times, lifetimes and reasons
// cross this boundary: tokens stay in MongoDB, so they never enter workflow history.
import type { Failure, PlatformId, PremiumStatus, TokenPolicy } from '../../platforms/types.js';
import type { ConnectRecordRequest, LifecycleProjection, RecordRequest } from '../../workflows/lifecycle/projection.js';
import type { Lifetimes, NotifyKind, Reason } from '../../workflows/lifecycle/types.js';

/** Everything the workflow needs to know about an account's stored credentials. */
export interface CredentialFacts {
  /** Increases on every write of the credentials (connect, reconnect, renewal). */
  version: number;
  policy: TokenPolicy;
  /** Remaining lifetimes, measured when the activity ran. */
  lifetimes: Lifetimes;
}

export type OperationResult<T> = ({ outcome: 'ok' } & T) | { outcome: 'failed'; failure: Failure };

export interface AccountSummary {
  accountId: string;
  platform: PlatformId;
  handle: string;
  displayName: string;
  penNameId: string;
  penName: string;
  ownerId: string;
}

export interface RenewInput {
  accountId: string;
  /** The credential version the workflow last knew. A newer stored version means a renewal already landed (e.g. before a crash): it is reused, and the platform is not called again. */
  knownVersion: number;
  /**
   * One activity per renewal: the status projection is written here with the outcome (what
   * `projectionAfter(record.lifecycle, outcome event)` gives), and the workflow does not write it again.
   */
  record?: RecordRequest;
}

export interface ValidateInput {
  accountId: string;
  /** As for renewals: the projection is written with the outcome. */
  record?: RecordRequest;
}

export interface ConnectInput {
  accountId: string;
  /** After a user (re)connect: check the new credentials with the platform too. */
  verifyWithPlatform: boolean;
  /** The workflow does not know the account yet: answer its summary too (what describeAccount answers). */
  describe: boolean;
  /**
   * One activity per connect: once the credentials are taken, the status projection the workflow
   * would record is written here (what `projectionAfterConnect(record, platform, facts)` gives).
   */
  record: ConnectRecordRequest;
}

/**
 * The credentials taken on a connect or reconnect. When the platform refused them, `unverified`
 * holds them as stored, for the workflow to start with (expired at once); nothing was recorded then.
 */
export type ConnectResult = ({ outcome: 'ok'; facts: CredentialFacts } | { outcome: 'failed'; failure: Failure; unverified?: CredentialFacts }) & {
  /** When asked to describe the account. */
  account?: AccountSummary;
};

export type StatusProjection = LifecycleProjection & {
  accountId: string;
  /** Monotonic per account; a write with a lower sequence than the stored one is ignored. */
  sequence: number;
};

export interface NotifyInput {
  accountId: string;
  kind: NotifyKind;
  reason?: Reason;
  deadline?: number;
  /** Unique per status change; a retried activity never notifies twice. */
  dedupeKey: string;
}

/** What came of revoking Tether's access at the platform on a disconnect (web words it). */
export type RevokeResult =
  /** Revoked at the platform. */
  | { code: 'revoked' }
  /** The platform has no way for apps to revoke access: the user removes Tether in its settings. */
  | { code: 'noRevokeApi' }
  /** Not revoked: other connected accounts use the same Facebook login, and revoking would disconnect them too. */
  | { code: 'sharedLogin' }
  /** The platform no longer accepted the credentials: nothing was left to revoke. */
  | { code: 'alreadyRejected' }
  /** The platform or the network failed; `detail` is its words. */
  | { code: 'failed'; detail: string }
  /** The platform is not configured on this Tether, so it could not be asked. */
  | { code: 'notConfigured' }
  /** Tether held no credentials any more (already removed). */
  | { code: 'noCredentials' };

export type RevokeCode = RevokeResult['code'];

/** The lifecycle activities as the workflow sees them. */
export interface LifecycleActivities {
  describeAccount(accountId: string): Promise<AccountSummary>;
  /** Reads the stored credentials' policy and lifetimes; after a (re)connect, also checks them with the platform. */
  inspectCredentials(input: { accountId: string; verifyWithPlatform: boolean }): Promise<OperationResult<{ facts: CredentialFacts }>>;
  /** A connect or reconnect in one activity: the account, its stored (and verified) credentials, and the status projection of the outcome. */
  connectCredentials(input: ConnectInput): Promise<ConnectResult>;
  renewCredentials(input: RenewInput): Promise<OperationResult<{ facts: CredentialFacts }>>;
  /** A plain account id: as scheduled by workflows from before the `renew-by-need` patch. */
  validateCredentials(input: string | ValidateInput): Promise<OperationResult<{ dataAccessSec?: number }>>;
  revokeCredentials(accountId: string): Promise<RevokeResult>;
  checkPremium(accountId: string): Promise<OperationResult<{ premium: PremiumStatus }>>;
  recordStatus(projection: StatusProjection): Promise<void>;
  notify(input: NotifyInput): Promise<void>;
}
