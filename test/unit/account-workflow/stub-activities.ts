import { Context } from '@temporalio/activity';
import type { AccountSummary, ConnectInput, ConnectResult, LifecycleActivities, RenewInput, StatusProjection, ValidateInput } from '../../../activities/lifecycle/contract.js';
import type { PublishingActivities } from '../../../activities/publishing/contract.js';
import { needsAttention } from '../../../activities/publishing/publish.js';
import type { PlatformId, TokenPolicy } from '../../../platforms/types.js';
import { projectionAfter, projectionAfterConnect, renewalEvent, validationEvent } from '../../../workflows/lifecycle/projection.js';
import type { LifecycleEvent, Lifetimes } from '../../../workflows/lifecycle/types.js';

// Stub activities for the fast account-workflow tests: plain functions that answer like a healthy
// account, record every call, and can be told to answer otherwise or to hold a call until the
// test releases it. No database, no platform.

export type AccountActivities = LifecycleActivities & PublishingActivities;
export type ActivityName = keyof AccountActivities;

export interface ActivityEvent {
  name: ActivityName;
  phase: 'start' | 'end';
  input: unknown;
  /** When the workflow scheduled the call, on the test server's (skipped) clock. */
  scheduledAt: number;
}

/** One held call: `started` resolves once the workflow has called the activity. */
export interface Hold {
  started: Promise<void>;
  release(): void;
}

/** As the adapters answer (platforms/x.ts, platforms/linkedin.ts without partner refresh). */
const POLICIES: Partial<Record<PlatformId, TokenPolicy>> = {
  x: { renewal: 'rotatingRefresh', refreshIdleSec: 180 * 86_400 },
  linkedin: { renewal: 'none', check: 'inspect' },
};

/** The stub answers of one account, keyed by its id. */
export class StubAccount {
  readonly events: ActivityEvent[] = [];
  /** Credential version the stub store holds; a renewal increments it. */
  version = 1;
  lifetimes: Lifetimes = { accessSec: 7200, refreshSec: 180 * 86400 };
  /** The token policy the stored credentials have; by default the platform's. */
  policy?: TokenPolicy;
  /** What failScheduledPosts answers. */
  scheduledPosts = 0;
  /** Every status projection written, in order: by recordStatus, or by a renewal or check with its outcome (as the real activities do). */
  readonly projections: StatusProjection[] = [];
  /** Answers that replace the defaults below, per activity. */
  readonly answers: Partial<AccountActivities> = {};
  private readonly holds = new Map<ActivityName, { hold: Hold; started: () => void; released: Promise<void> }>();

  constructor(
    readonly accountId: string,
    readonly platform: PlatformId = 'x',
  ) {}

  /** When each call of one activity was scheduled (workflow time), in order. */
  times(name: ActivityName): number[] {
    return this.events.filter((event) => event.name === name && event.phase === 'start').map((event) => event.scheduledAt);
  }

  /** The inputs of every call of one activity, in order. */
  calls<N extends ActivityName>(name: N): Array<Parameters<AccountActivities[N]>[0]> {
    return this.events.filter((event) => event.name === name && event.phase === 'start').map((event) => event.input as Parameters<AccountActivities[N]>[0]);
  }

  /** The next call of `name` waits until the test releases it. */
  hold(name: ActivityName): Hold {
    let started!: () => void;
    let release!: () => void;
    const hold: Hold = { started: new Promise<void>((resolve) => (started = resolve)), release: () => release() };
    this.holds.set(name, { hold, started, released: new Promise<void>((resolve) => (release = resolve)) });
    return hold;
  }

  async run<N extends ActivityName>(name: N, input: Parameters<AccountActivities[N]>[0]): Promise<Awaited<ReturnType<AccountActivities[N]>>> {
    const { scheduledTimestampMs: scheduledAt } = Context.current().info;
    this.events.push({ name, phase: 'start', input, scheduledAt });
    try {
      const held = this.holds.get(name);
      if (held) {
        this.holds.delete(name);
        held.started();
        await held.released;
      }
      const answer = (this.answers[name] ?? this.defaults[name]) as (input: unknown) => Promise<Awaited<ReturnType<AccountActivities[N]>>>;
      const result = await answer(input);
      this.recordProjection(name, input, result);
      return result;
    } finally {
      this.events.push({ name, phase: 'end', input, scheduledAt });
    }
  }

  /** The projections the real activities write: recordStatus's input, or what an operation records with its outcome. */
  private recordProjection(name: ActivityName, input: unknown, result: unknown): void {
    if (name === 'recordStatus') this.projections.push(input as StatusProjection);
    if (name === 'connectCredentials') return this.recordConnect(input as ConnectInput, result as ConnectResult);
    const record = typeof input === 'object' && input !== null ? (input as RenewInput | ValidateInput).record : undefined;
    if (!record) return;
    const event: LifecycleEvent =
      name === 'renewCredentials'
        ? renewalEvent(result as Parameters<typeof renewalEvent>[0], record.now, record.jitter)
        : validationEvent(result as Parameters<typeof validationEvent>[0], record.now, record.jitter);
    const projection = projectionAfter(record.lifecycle, event);
    if (projection) this.projections.push({ ...projection, accountId: this.accountId, sequence: record.sequence });
  }

  /** As connectCredentials does: the projection of credentials taken, nothing when they were refused. */
  private recordConnect({ record }: ConnectInput, result: ConnectResult): void {
    if (result.outcome !== 'ok') return;
    const projection = projectionAfterConnect(record, this.platform, result.facts);
    if (projection) this.projections.push({ ...projection, accountId: this.accountId, sequence: record.sequence });
  }

  private facts() {
    return { version: this.version, policy: this.policy ?? POLICIES[this.platform] ?? { renewal: 'none' }, lifetimes: this.lifetimes };
  }

  /** Who the account is, as describeAccount answers. */
  summary(): AccountSummary {
    return {
      accountId: this.accountId,
      platform: this.platform,
      handle: 'stub_account',
      displayName: 'Stub Account',
      penNameId: 'pen-1',
      penName: 'Stub Notes',
      ownerId: 'owner-1',
    };
  }

  private readonly defaults: AccountActivities = {
    describeAccount: async (): Promise<AccountSummary> => this.summary(),
    inspectCredentials: async () => ({ outcome: 'ok', facts: this.facts() }),
    connectCredentials: async ({ describe }) => ({ outcome: 'ok', facts: this.facts(), ...(describe ? { account: this.summary() } : {}) }),
    renewCredentials: async ({ knownVersion }) => {
      this.version = Math.max(this.version, knownVersion) + 1;
      return { outcome: 'ok', facts: this.facts() };
    },
    validateCredentials: async () => ({ outcome: 'ok' }),
    revokeCredentials: async () => ({ code: 'revoked' }),
    checkPremium: async () => ({ outcome: 'ok', premium: { subscriptionType: 'Premium' } }),
    recordStatus: async () => undefined,
    notify: async () => undefined,
    publishPost: async ({ postId }) => ({ outcome: 'published', url: `https://platform.test/posts/${postId}`, externalId: `ext-${postId}` }),
    // Each post as publishPost answers it (or as the test told it to), stopping where the real activity stops.
    publishDuePosts: async ({ accountId, postIds }) => {
      const publish = this.answers.publishPost ?? this.defaults.publishPost;
      const results = [];
      for (const postId of postIds) {
        const result = await publish({ postId, accountId });
        results.push({ ...result, at: Date.now() });
        if (needsAttention(result)) break;
      }
      return results;
    },
    failTarget: async () => undefined,
    settleOverdue: async () => undefined,
    failScheduledPosts: async () => this.scheduledPosts,
  };
}

const accountIdOf = (input: unknown): string => (typeof input === 'string' ? input : (input as { accountId: string }).accountId);

/** The activities a worker registers: each call goes to the stub account it names. */
export function stubActivities(accounts: Map<string, StubAccount>): AccountActivities {
  const names: ActivityName[] = [
    'describeAccount',
    'inspectCredentials',
    'connectCredentials',
    'renewCredentials',
    'validateCredentials',
    'revokeCredentials',
    'checkPremium',
    'recordStatus',
    'notify',
    'publishPost',
    'publishDuePosts',
    'failTarget',
    'settleOverdue',
    'failScheduledPosts',
  ];
  const entries = names.map((name) => [
    name,
    (input: unknown) => {
      const account = accounts.get(accountIdOf(input));
      if (!account) throw new Error(`no stub account ${accountIdOf(input)}`);
      return account.run(name, input as never);
    },
  ]);
  return Object.fromEntries(entries) as AccountActivities;
}
