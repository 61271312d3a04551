import { ApplicationFailure, log, patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { AccountSummary, ConnectResult, CredentialFacts, RevokeResult } from '../../activities/lifecycle/contract.js';
import { nextWake, startLifecycle, transition } from '../lifecycle/index.js';
import {
  projectionAfter,
  projectionAfterConnect,
  renewalEvent,
  validationEvent,
  type ConnectRecordRequest,
  type LifecycleProjection,
  type RecordRequest,
} from '../lifecycle/projection.js';
import { failureReason, reauthReason } from '../lifecycle/reasons.js';
import type { Failure } from '../../platforms/types.js';
import type { LifecycleConfig, LifecycleEffect, LifecycleEvent, LifecycleState, Reason } from '../lifecycle/types.js';
import { emptyQueue, type PublishQueue } from '../publishing/queue.js';
import {
  asFailure,
  checkPremium,
  connectCredentials,
  describeAccount,
  inspectCredentials,
  notify,
  renewCredentials,
  revokeCredentials,
  validateCredentials,
} from './activities.js';
import type { AccountStateView, DisconnectResult, PremiumResult, ReconnectResult, RefreshNowResult } from './messages.js';
import { renewsByNeed } from './lifecycle-version.js';
import { refreshOutcome, revokeOutcomeOf, type LegacyRevokeResult } from './outcomes.js';
import { currentDetails, isRecordable, showInTemporal, snapshotOf, stateView, writeProjection, type Snapshot } from './projection.js';
import { identityAttributes, PEN_NAME } from '../search-attributes.js';
import { accountTitle } from './title.js';
import { Publisher, type PublishingAccount } from './publisher.js';

// One connected account as its workflow holds it: the lifecycle state of the pure machine, the
// publishing queue, and what continue-as-new carries. It feeds events into the machine and
// executes the effects that come out (activities, the status projection, notifications).
//
// Methods that change state run activities and must hold `lock` (workflow.ts takes it for every
// update, signal and wake); the reading methods (`view`, `canPublish`, `finished`, `nextWake`)
// never wait, so queries and validators can call them at any time.

/** Patch: the `penNameChanged` signal upserts `TetherPenName`. */
const PEN_NAME_CHANGES = 'pen-name-changes';
/**
 * Patch: a connect or reconnect is one activity (`connectCredentials`) that describes the account
 * when needed, takes and verifies its credentials and records the status they lead to; before it,
 * describeAccount, inspectCredentials and recordStatus. A schema-1 lifecycle keeps the old path.
 */
const CONNECT_IN_ONE_ACTIVITY = 'connect-in-one-activity';

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
  /** How often a health check proves the connection works (lifecycle schema 2). */
  healthCheckMs?: number;
  /** How long before a post its renewal starts when the access token would be dead by then (schema 2). */
  publishRenewalLeadMs?: number;
}

/** What an operation's activity recorded with its outcome: the workflow does not record it again. */
interface Recorded {
  sequence: number;
  projection?: LifecycleProjection;
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
  /** The search attributes this run last set (JSON per key): schema 2 upserts only changes. */
  private readonly shownAttributes = new Map<string, string>();

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
    const snapshot = snapshotOf(this.accountId, this.summary?.platform, this.lifecycle, this.publisher.queue);
    return this.summary ? { ...snapshot, title: accountTitle(this.summary) } : snapshot;
  }

  /** Temporal UI's current details, from the state as it stands (not a command: replays are unaffected). */
  showDetails(): void {
    setCurrentDetails(currentDetails(this.snapshot()));
  }

  view(): AccountStateView {
    return stateView(this.snapshot());
  }

  /** The earlier of the lifecycle's next wake and the next post's publish time. */
  nextWake(): NextWake {
    const lifecycleNext = this.lifecycle ? nextWake(this.lifecycle) : undefined;
    const lifecycleAt = lifecycleNext?.at;
    const publishAt = this.publisher.nextPublishAt();
    const publishFirst = publishAt !== undefined && (lifecycleAt === undefined || publishAt < lifecycleAt);
    const at = publishFirst ? publishAt : lifecycleAt;
    const summary = publishFirst ? 'publish the next post' : this.lifecycle ? (lifecycleNext?.action ?? 'nothing scheduled') : 'wait for credentials';
    return { at, summary, lifecycle: lifecycleAt !== undefined && lifecycleAt === at, publish: publishAt !== undefined && publishAt === at };
  }

  carried(): CarriedState {
    if (!this.summary || !this.lifecycle) throw ApplicationFailure.nonRetryable('cannot continue-as-new before the account is initialised');
    const { summary: account, lifecycle, knownVersion, projectionSequence } = this;
    return { account, lifecycle, knownVersion, projectionSequence, queue: this.publisher.queue };
  }

  changed(): void {
    this.changes += 1;
    this.syncNextPost();
  }

  /** Schema 2: tells the lifecycle when the queue's next post is due (effect-free), so it renews before it. */
  private syncNextPost(): void {
    const lifecycle = this.lifecycle;
    if (lifecycle?.schemaVersion !== 2) return;
    const dueAt = this.publisher.nextPublishAt();
    if (dueAt === lifecycle.nextPostAt) return;
    this.lifecycle = transition(lifecycle, { type: 'nextPostChanged', now: Date.now(), dueAt }).state;
  }

  private lifecycleConfig(): Partial<LifecycleConfig> {
    const { warningLeadMs, healthCheckMs, publishRenewalLeadMs } = this.settings;
    return { warningLeadMs, checkEveryMs: healthCheckMs, publishLeadMs: publishRenewalLeadMs };
  }

  // ---- the move to the current lifecycle rules (workflows started before the patch) -------------

  /**
   * Whether a lifecycle on the legacy rules should move to the current ones now. False while
   * replaying history from before the patch (nothing changes there); never call it from a query.
   */
  migrationDue(): boolean {
    return this.lifecycle?.schemaVersion === 1 && !this.finished() && renewsByNeed();
  }

  /** Re-plans a legacy lifecycle by need from its token times and the adapter's current policy. Caller holds the lock. */
  async migrateIfDue(): Promise<void> {
    if (!this.migrationDue()) return;
    const stored = await inspectCredentials({ accountId: this.accountId, verifyWithPlatform: false });
    const policy = stored.outcome === 'ok' ? stored.facts.policy : this.lifecycle!.policy;
    await this.applyNow({ type: 'rulesMigrated', now: Date.now(), policy, config: this.lifecycleConfig(), jitter: Math.random() });
  }

  // ---- messages and wakes: callers hold the lock -------------------------------------------------

  /** A workflow's first run: label it for operators and take the credentials stored at connect. */
  async start(): Promise<void> {
    // In one activity the credentials are taken with the account's description.
    if (!this.summary && !this.lifecycle && this.connectsInOneActivity()) await this.takeCredentials(false);
    this.summary ??= await describeAccount(this.accountId);
    // The dashboard gives them at the start; a workflow started without them (or before a rename) sets them here.
    const startedWith = workflowInfo().typedSearchAttributes;
    const differing = identityAttributes(this.summary).filter(({ key, value }) => startedWith.get(key) !== value);
    if (differing.length > 0) upsertSearchAttributes(differing);
    if (!this.lifecycle) await this.takeCredentials(false);
  }

  /**
   * The pen name was renamed or the account moved: the search attribute (a command, behind its
   * patch) and the current details follow. Before the account is described there is nothing to
   * change: the description will read the new name.
   */
  penNameChanged(change: { penNameId: string; penName: string }): void {
    if (!this.summary || !patched(PEN_NAME_CHANGES)) return;
    if (this.summary.penNameId === change.penNameId && this.summary.penName === change.penName) return;
    this.summary = { ...this.summary, penNameId: change.penNameId, penName: change.penName };
    upsertSearchAttributes([{ key: PEN_NAME, value: change.penName }]);
    this.showDetails();
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

  /** Schema 2: before a post goes out at once (a test post), a token that is dead by now is renewed first. */
  async prepareToPublish(): Promise<void> {
    if (this.lifecycle?.schemaVersion !== 2 || !this.canPublish()) return;
    const now = Date.now();
    this.lifecycle = transition(this.lifecycle, { type: 'nextPostChanged', now, dueAt: now }).state;
    await this.apply({ type: 'wake', now });
    this.syncNextPost();
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

  /** Feeds one event to the machine (a legacy lifecycle moves to the current rules first, when due) and runs its effects; answers them. */
  private async apply(event: LifecycleEvent, recorded?: Recorded): Promise<LifecycleEffect[]> {
    await this.migrateIfDue();
    return this.applyNow(event, recorded);
  }

  private async applyNow(event: LifecycleEvent, recorded?: Recorded): Promise<LifecycleEffect[]> {
    if (!this.lifecycle) return [];
    const result = transition(this.lifecycle, event);
    this.lifecycle = result.state;
    this.changed();
    await this.execute(result.effects, recorded);
    return result.effects;
  }

  private async execute(effects: LifecycleEffect[], recorded?: Recorded): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'recordStatus':
          await this.record(recorded);
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
        case 'renew': {
          const { event, recorded: byActivity } = await this.renew();
          await this.apply(event, byActivity);
          break;
        }
        case 'validate': {
          const { event, recorded: byActivity } = await this.validate();
          await this.apply(event, byActivity);
          break;
        }
      }
    }
  }

  /** The next projection sequence. Workflow time keeps it increasing across runs too: a reconnected account's new run must outrank the projection its finished predecessor wrote. */
  private nextSequence(): number {
    this.projectionSequence = Math.max(this.projectionSequence + 1, Date.now());
    return this.projectionSequence;
  }

  private async record(recorded?: Recorded): Promise<void> {
    const snapshot = this.snapshot();
    if (!this.summary || !isRecordable(snapshot)) return;
    if (recorded?.projection && JSON.stringify(recorded.projection) === JSON.stringify(snapshot.lifecycle)) {
      // The operation's activity wrote exactly this with its outcome: only Temporal's view is left.
      showInTemporal(snapshot, this.shownAttributes);
      return;
    }
    await writeProjection(snapshot, this.nextSequence(), this.shownAttributes);
  }

  /** Schema 2: what an operation's activity records with its outcome (the time and jitter the outcome is applied with, a reserved sequence). */
  private recordRequest(): RecordRequest {
    return { lifecycle: this.lifecycle!, now: Date.now(), jitter: Math.random(), sequence: this.nextSequence() };
  }

  private async renew(): Promise<{ event: LifecycleEvent; recorded?: Recorded }> {
    if (this.lifecycle?.schemaVersion === 2) return this.renewRecording();
    return { event: await this.renewLegacy() };
  }

  /** One activity per renewal: it renews, stores the rotated tokens and writes the status projection. */
  private async renewRecording(): Promise<{ event: LifecycleEvent; recorded?: Recorded }> {
    const record = this.recordRequest();
    try {
      const result = await renewCredentials(this.summary!.platform, { accountId: this.accountId, knownVersion: this.knownVersion, record });
      if (result.outcome === 'ok') this.knownVersion = result.facts.version;
      const event = renewalEvent(result, record.now, record.jitter);
      return { event, recorded: { sequence: record.sequence, projection: projectionAfter(record.lifecycle, event) } };
    } catch (error) {
      return { event: { type: 'renewalFailed', failure: asFailure(error), now: Date.now(), jitter: Math.random() } };
    }
  }

  /** Schema 1, as before the `renew-by-need` patch: the workflow records the projection itself. */
  private async renewLegacy(): Promise<LifecycleEvent> {
    try {
      const result = await renewCredentials(this.summary!.platform, { accountId: this.accountId, knownVersion: this.knownVersion });
      if (result.outcome === 'failed') return { type: 'renewalFailed', failure: result.failure, now: Date.now(), jitter: Math.random() };
      this.knownVersion = result.facts.version;
      return { type: 'renewalSucceeded', lifetimes: result.facts.lifetimes, now: Date.now(), jitter: Math.random() };
    } catch (error) {
      return { type: 'renewalFailed', failure: asFailure(error), now: Date.now(), jitter: Math.random() };
    }
  }

  private async validate(): Promise<{ event: LifecycleEvent; recorded?: Recorded }> {
    if (this.lifecycle?.schemaVersion !== 2) return { event: await this.validateLegacy() };
    const record = this.recordRequest();
    try {
      const result = await validateCredentials({ accountId: this.accountId, record });
      const event = validationEvent(result, record.now, record.jitter);
      return { event, recorded: { sequence: record.sequence, projection: projectionAfter(record.lifecycle, event) } };
    } catch (error) {
      return { event: { type: 'validationFailed', failure: asFailure(error), now: Date.now(), jitter: Math.random() } };
    }
  }

  private async validateLegacy(): Promise<LifecycleEvent> {
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
    if (this.connectsInOneActivity()) return this.connectRecording(verifyWithPlatform);
    this.summary ??= await describeAccount(this.accountId);
    const checked = await inspectCredentials({ accountId: this.accountId, verifyWithPlatform });
    if (checked.outcome === 'ok') {
      await this.begin(checked.facts);
      return undefined;
    }
    const rejection = rejectionOf(checked.failure);
    // Refused, or the platform is unreachable right now: take the credentials as issued (expired at
    // once when refused) and let renewals verify them.
    const unverified = await inspectCredentials({ accountId: this.accountId, verifyWithPlatform: false });
    if (unverified.outcome === 'ok') await this.begin(unverified.facts, rejection);
    return rejection;
  }

  /** The one-activity connect (schema 2, or no lifecycle yet) from the `connect-in-one-activity` patch on. */
  private connectsInOneActivity(): boolean {
    return this.lifecycle?.schemaVersion !== 1 && patched(CONNECT_IN_ONE_ACTIVITY);
  }

  /** One activity describes the account (first run), takes the credentials and records the status they lead to. */
  private async connectRecording(verifyWithPlatform: boolean): Promise<Reason | undefined> {
    const start = { accountId: this.accountId, config: this.lifecycleConfig(), schemaVersion: this.lifecycle?.schemaVersion ?? (renewsByNeed() ? 2 : 1) } as const;
    const record: ConnectRecordRequest = { lifecycle: this.lifecycle, start, now: Date.now(), jitter: Math.random(), sequence: this.nextSequence() };
    const result: ConnectResult = await connectCredentials({ accountId: this.accountId, verifyWithPlatform, describe: !this.summary, record });
    this.summary ??= result.account;
    if (!this.summary) throw ApplicationFailure.nonRetryable('the connect activity did not describe the account');
    if (result.outcome === 'ok') {
      const recorded = { sequence: record.sequence, projection: projectionAfterConnect(record, this.summary.platform, result.facts) };
      await this.begin(result.facts, undefined, { now: record.now, jitter: record.jitter, recorded });
      return undefined;
    }
    const rejection = rejectionOf(result.failure);
    // Refused: the credentials as issued, expired at once (recorded by the workflow, as before).
    if (result.unverified) await this.begin(result.unverified, rejection);
    return rejection;
  }

  /** `taken`: when and with what jitter the activity that took the credentials computed what it recorded. */
  private async begin(facts: CredentialFacts, rejection?: Reason, taken?: { now: number; jitter: number; recorded: Recorded }): Promise<void> {
    this.knownVersion = facts.version;
    const connected = { now: taken?.now ?? Date.now(), policy: facts.policy, lifetimes: facts.lifetimes, jitter: taken?.jitter ?? Math.random() };
    if (!this.lifecycle) {
      const schemaVersion = renewsByNeed() ? 2 : 1;
      const account = { accountId: this.accountId, platform: this.summary!.platform, config: this.lifecycleConfig(), schemaVersion } as const;
      const started = startLifecycle(account, connected);
      this.lifecycle = started.state;
      this.changed();
      await this.execute(started.effects, taken?.recorded);
    } else {
      await this.apply({ type: 'reconnected', ...connected }, taken?.recorded);
    }
    if (rejection) await this.apply({ type: 'revokedByPlatform', reason: rejection, now: Date.now() });
  }
}

/** Why the platform refused new credentials; undefined for a failure that is not a refusal. */
function rejectionOf(failure: Failure): Reason | undefined {
  return failure.kind === 'reauthRequired' ? reauthReason(failure) : failure.kind === 'invalid' ? { code: 'credentials_invalid', detail: failure.message } : undefined;
}
