import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { ACCOUNT_EVENT_KINDS, type AccountEvent } from '../../db/models/account-event.js';
import type { Models } from '../../db/models/index.js';
import type { BenchBrowser } from './http.js';
import { countQueries, HEALTHZ, timeRoutes, type QueryCount, type RouteTiming } from './measure.js';
import type { BenchUser } from './seed.js';

// The account page (`/connections/<id>`, its whole timeline) as one account's history grows to
// `--events`, beside /healthz in the same rounds, and its MongoDB work at each size.

export interface AccountPageMeasurement {
  events: number;
  timings: { page: RouteTiming; baseline: RouteTiming };
  queries: QueryCount;
}

const MINUTE = 60_000;

async function seedEvents(models: Models, accountId: string, from: number, to: number, now: number): Promise<void> {
  const events: AccountEvent[] = [];
  for (let i = from; i < to; i++) {
    const sequence = `bench:${i}`;
    const kind = ACCOUNT_EVENT_KINDS[i % ACCOUNT_EVENT_KINDS.length]!;
    // One state change in 40 events, alternating active and expired: bands to draw.
    const state = i % 40 === 0 ? { state: (i / 40) % 2 === 0 ? ('active' as const) : ('expired' as const) } : {};
    events.push({ _id: `${accountId}:${sequence}`, accountId, sequence, kind, at: new Date(now - (to - i) * 10 * MINUTE), ...state, ...(kind === 'renewed' ? { expiresAt: new Date(now) } : {}) });
  }
  for (let i = 0; i < events.length; i += 1000) await models.AccountEvent.insertMany(events.slice(i, i + 1000));
}

export async function measureAccountPage(
  input: { models: Models; connection: Connection; browser: BenchBrowser; user: BenchUser },
  options: { eventSizes: number[]; requests: number; warmup: number; countedRenders: number },
  progress: (line: string) => void,
): Promise<AccountPageMeasurement[]> {
  const { models, browser, user } = input;
  const now = Date.now();
  const accountId = randomUUID();
  await models.Account.create({
    _id: accountId, ownerId: user.userId, penNameId: user.penNameId, platform: 'x', externalId: `bench-events-${accountId}`, handle: 'bench_events', displayName: 'Bench events', meta: {},
    connectedAt: new Date(now - 400 * 24 * 60 * MINUTE), status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: new Date(now) },
  });
  const route = { name: 'Account page', path: `/connections/${accountId}?range=all` };
  const results: AccountPageMeasurement[] = [];
  let seeded = 0;
  for (const events of options.eventSizes) {
    await seedEvents(models, accountId, seeded, events, now);
    seeded = events;
    progress(`account page with ${events} events: timing ${options.requests} requests after ${options.warmup} warm-up rounds`);
    const [page, baseline] = await timeRoutes(browser, [route, HEALTHZ], options);
    const queries = await countQueries(input.connection, browser, route, options.countedRenders);
    progress(`  p95 ${page!.latencyMs.p95} ms (/healthz ${baseline!.latencyMs.p95} ms); ${queries.operations[0]} operations, ${queries.commands[0]} wire commands per render`);
    results.push({ events, timings: { page: page!, baseline: baseline! }, queries });
  }
  return results;
}
