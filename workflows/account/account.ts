import { ApplicationFailure, log, upsertSearchAttributes } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { AccountSummary, CredentialFacts, RevokeResult } from '../../activities/lifecycle/contract.js';
import { describeNext, nextWakeAt, startLifecycle, transition } from '../lifecycle/index.js';
import { failureReason, reauthReason } from '../lifecycle/reasons.js';
import type { LifecycleEffect, LifecycleEvent, LifecycleState, Reason } from '../lifecycle/types.js';
import { emptyQueue, type PublishQueue } from '../publishing/queue.js';
import {
  asFailure,
  checkPremium,
  describeAccount,
  inspectCredentials,
  notify,
  renewCredentials,
  revokeCredentials,
  validateCredentials,
} from './activities.js';
import type { AccountStateView, DisconnectResult, PremiumResult, ReconnectResult, RefreshNowResult } from './messages.js';
import { refreshOutcome, revokeOutcomeOf, type LegacyRevokeResult } from './outcomes.js';
import { identityAttributes, isRecordable, snapshotOf, stateView, writeProjection, type Snapshot } from './projection.js';
import { Publisher, type PublishingAccount } from './publisher.js';

// One connected account as its workflow holds it: the lifecycle state of the pure machine, the
// publishing queue, and what continue-as-new carries. It feeds events into the machine and
// executes the effects that come out (activities, the status projection, notifications).
//
// Methods that change state run activities and must hold `lock` (workflow.ts takes it for every
// update, signal and wake); the reading methods (`view`, `canPublish`, `finished`, `nextWake`)
// never wait, so queries and validators can call them at any time.

/** What continue-as-new carries into the next run. */
export interface CarriedState {
  account: AccountSummary;
  lifecycle: LifecycleState;
  knownVersion: number;
  projectionSequence: number;
  queue?: PublishQueue;
}

export interface AccountSettings {
  accountId: string;
  carried?: CarriedState;
  warningLeadMs?: number;
  overdueDecisionMs?: number;
}

export interface NextWake {
  /** When the wake loop should act; undefined when only a message can change anything. */
  at?: number;
  /** For Temporal UI's timer summary. */
  summary: string;
  lifecycle: boolean;
  publish: boolean;
}

const DEFAULT_OVERDUE_DECISION_MS = 10 * 60_000;

export class Account implements PublishingAccount {
  /** Serializes every change of this account: transitions and the activities they run never interleave. */
  readonly lock = new Mutex();
  readonly accountId: string;
  readonly publisher: Publisher;
  /** Set once the account is disconnected: the workflow's result. */
  result?: DisconnectResult;
  /** Increases whenever state changes, so the wake loop computes its wake time again. */
  changes = 0;
  private summary?: AccountSummary;
  private lifecycle?: LifecycleState;
  /** The credential version last seen: a renewal that already landed (before a crash) is reused. */
  private knownVersion: number;
  private projectionSequence: number;
  /** Old histories answer the revoke activity in the legacy shape (see revokeOutcomeOf). */
  private lastRevoke?: RevokeResult | LegacyRevokeResult;

  constructor(private readonly settings: AccountSettings) {
    const { carried } = settings;
    this.accountId = settings.accountId;
    this.summary = carried?.account;
    this.lifecycle = carried?.lifecycle;
    this.knownVersion = carried?.knownVersion ?? 0;
    this.projectionSequence = carried?.projectionSequence ?? 0;
    this.publisher = new Publisher(this, carried?.queue ?? emptyQueue(), settings.overdueDecisionMs ?? DEFAULT_OVERDUE_DECISION_MS);
  }

  // ---- reading: never waits, safe in queries and validators -----------------------------------

  get platform() {
    return this.summary?.platform;
  }

  get status() {
    return this.lifecycle?.status;
  }

  /** Why the account is expired, or what a live account is warned about or retrying. */
  get reason() {
    return this.lifecycle?.reason;
  }

  canPublish(): boolean {
    return this.status === 'active' || this.status === 'expiring';
  }

  pausedBecause(): Reason | undefined {
    return this.status === 'expired' ? (this.lifecycle?.reason ?? { code: 'expired' }) : undefined;
  }

  finished(): boolean {
    return this.status === 'disconnected' || this.result !== undefined;
  }

  snapshot(): Snapshot {
    return snapshotOf(this.accountId, this.summary?.platform, this.lifecycle, this.publisher.queue);
  }

  view(): AccountStateView {
    return stateView(this.snapshot());
  }

  /** The earlier of the lifecycle's next wake and the next post's publish time. */
  nextWake(): NextWake {
    const lifecycleAt = this.lifecycle ? nextWakeAt(this.lifecycle) : undefined;
    const publishAt = this.publisher.nextPublishAt();
    const publishFirst = publishAt !== undefined && (lifecycleAt === undefined || publishAt < lifecycleAt);
    const at = publishFirst ? publishAt : lifecycleAt;
    const summary = publishFirst ? 'publish the next post' : this.lifecycle ? describeNext(this.lifecycle).action : 'wait for credentials';
    return { at, summary, lifecycle: lifecycleAt !== undefined && lifecycleAt === at, publish: publishAt !== undefined && publishAt === at };
  }

  carried(): CarriedState {
    if (!this.summary || !this.lifecycle) throw ApplicationFailure.nonRetryable('cannot continue-as-new before the account is initialised');
    const { summary: account, lifecycle, knownVersion, projectionSequence } = this;
    return { account, lifecycle, knownVersion, projectionSequence, queue: this.publisher.queue };
  }

  changed(): void {
    this.changes += 1;
  }

  // ---- messages and wakes: callers hold the lock -------------------------------------------------

  /** A workflow's first run: label it for operators and take the credentials stored at connect. */
  async start(): Promise<void> {
    this.summary ??= await describeAccount(this.accountId);
    upsertSearchAttributes(identityAttributes(this.summary));
    if (!this.lifecycle) await this.takeCredentials(false);
  }

  async reconnect(): Promise<ReconnectResult> {
    const wasExpired = this.status === 'expired';
    const rejection = await this.takeCredentials(true);
    if (wasExpired && this.canPublish()) this.publisher.holdOverdue();
    return rejection ? { accepted: false, rejection, state: this.view() } : { accepted: true, state: this.view() };
  }

  async refreshNow(): Promise<RefreshNowResult> {
    const before = this.lifecycle;
    const effects = await this.apply({ type: 'refreshRequested', now: Date.now() });
    if (!before || !this.lifecycle) throw ApplicationFailure.nonRetryable('The account is still connecting; try again in a moment.');
    return { state: this.view(), outcome: refreshOutcome(before, this.lifecycle, effects) };
  }

  async disconnect(): Promise<DisconnectResult> {
    this.summary ??= await describeAccount(this.accountId);
    if (this.lifecycle) await this.apply({ type: 'disconnectRequested', now: Date.now() });
    else this.lastRevoke = await revokeCredentials(this.accountId);
    const affectedPosts = await this.publisher.failAll();
    this.result = { revoke: revokeOutcomeOf(this.lastRevoke), affectedPosts };
    this.changed();
    return this.result;
  }

  async checkPremium(): Promise<PremiumResult> {
    const result = await checkPremium(this.accountId);
    if (result.outcome === 'ok') return { ok: true, premium: result.premium };
    const { failure } = result;
    if (failure.kind === 'reauthRequired') await this.tokenRefused(reauthReason(failure));
    return { ok: false, reason: failureReason(failure) };
  }

  /** The platform told us access was removed. */
  async revoked(reason: Reason): Promise<void> {
    await this.apply({ type: 'revokedByPlatform', reason, now: Date.now() });
  }

  /** The lifecycle's wake time came. */
  async wake(): Promise<void> {
    await this.apply({ type: 'wake', now: Date.now() });
  }

  async tokenRefused(reason: Reason): Promise<boolean> {
    const issuedBefore = this.lifecycle?.token.issuedAt;
    await this.apply({ type: 'accessTokenRejected', reason, now: Date.now() });
    return this.lifecycle?.token.issuedAt !== issuedBefore;
  }

  // ---- the effect interpreter ------------------------------------------------------------------

  /** Feeds one event to the machine and runs its effects; answers them. */
  private async apply(event: LifecycleEvent): Promise<LifecycleEffect[]> {
    if (!this.lifecycle) return [];
    const result = transition(this.lifecycle, event);
    this.lifecycle = result.state;
    this.changed();
    await this.execute(result.effects);
    return result.effects;
  }

  private async execute(effects: LifecycleEffect[]): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'recordStatus':
          await this.record();
          break;
        case 'notify':
          try {
            await notify({ accountId: this.accountId, kind: effect.kind, reason: effect.reason, deadline: effect.deadline, dedupeKey: effect.dedupeKey });
          } catch (error) {
            // The in-app notification exists once the activity has run at all; delivery gave up.
            log.warn('notification delivery failed', { accountId: this.accountId, kind: effect.kind, error: String(error) });
          }
          break;
        case 'revoke':
          this.lastRevoke = await revokeCredentials(this.accountId);
          break;
        case 'renew':
          await this.apply(await this.renew());
          break;
        case 'validate':
          await this.apply(await this.validate());
          break;
      }
    }
  }

  private async record(): Promise<void> {
    const snapshot = this.snapshot();
    if (!this.summary || !isRecordable(snapshot)) return;
    // Workflow time keeps the sequence increasing across runs too: a reconnected account's new run
    // must outrank the projection its finished predecessor wrote.
    this.projectionSequence = Math.max(this.projectionSequence + 1, Date.now());
    await writeProjection(snapshot, this.projectionSequence);
  }

  private async renew(): Promise<LifecycleEvent> {
    try {
      const result = await renewCredentials(this.summary!.platform, { accountId: this.accountId, knownVersion: this.knownVersion });
      if (result.outcome === 'failed') return { type: 'renewalFailed', failure: result.failure, now: Date.now(), jitter: Math.random() };
      this.knownVersion = result.facts.version;
      return { type: 'renewalSucceeded', lifetimes: result.facts.lifetimes, now: Date.now(), jitter: Math.random() };
    } catch (error) {
      return { type: 'renewalFailed', failure: asFailure(error), now: Date.now(), jitter: Math.random() };
    }
  }

  private async validate(): Promise<LifecycleEvent> {
    try {
      const result = await validateCredentials(this.accountId);
      if (result.outcome === 'failed') return { type: 'validationFailed', failure: result.failure, now: Date.now(), jitter: Math.random() };
      return { type: 'validationSucceeded', dataAccessSec: result.dataAccessSec, now: Date.now(), jitter: Math.random() };
    } catch (error) {
      return { type: 'validationFailed', failure: asFailure(error), now: Date.now(), jitter: Math.random() };
    }
  }

  // ---- credential intake -----------------------------------------------------------------------

  /** Reads (and, after a user connect, verifies) the stored credentials and (re)starts the lifecycle; answers why the platform refused them. */
  private async takeCredentials(verifyWithPlatform: boolean): Promise<Reason | undefined> {
    this.summary ??= await describeAccount(this.accountId);
    const checked = await inspectCredentials({ accountId: this.accountId, verifyWithPlatform });
    if (checked.outcome === 'ok') {
      await this.begin(checked.facts);
      return undefined;
    }
    const { failure } = checked;
    const rejection: Reason | undefined =
      failure.kind === 'reauthRequired' ? reauthReason(failure) : failure.kind === 'invalid' ? { code: 'credentials_invalid', detail: failure.message } : undefined;
    // Refused, or the platform is unreachable right now: take the credentials as issued (expired at
    // once when refused) and let renewals verify them.
    const unverified = await inspectCredentials({ accountId: this.accountId, verifyWithPlatform: false });
    if (unverified.outcome === 'ok') await this.begin(unverified.facts, rejection);
    return rejection;
  }

  private async begin(facts: CredentialFacts, rejection?: Reason): Promise<void> {
    this.knownVersion = facts.version;
    const connected = { now: Date.now(), policy: facts.policy, lifetimes: facts.lifetimes, jitter: Math.random() };
    if (!this.lifecycle) {
      const account = { accountId: this.accountId, platform: this.summary!.platform, config: { warningLeadMs: this.settings.warningLeadMs } };
      const started = startLifecycle(account, connected);
      this.lifecycle = started.state;
      this.changed();
      await this.execute(started.effects);
    } else {
      await this.apply({ type: 'reconnected', ...connected });
    }
    if (rejection) await this.apply({ type: 'revokedByPlatform', reason: rejection, now: Date.now() });
  }
}
