import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenRequestPacer, type SlotBook, type TokenRequestPacer } from '../../../activities/lifecycle/pacing.js';
import { connectDatabase } from '../../../db/connection.js';
import { createModels, ensureIndexes, type Models } from '../../../db/models/index.js';
import { claimRenewalSlots, sweepRenewalSlots } from '../../../db/renewal-slots.js';
import { PLATFORM_IDS, type PlatformId } from '../../../platforms/types.js';
import { openDatabase, testConfig, type TestDatabase } from '../../helpers/integration.js';
import { busiestFixedWindow, busiestWindow } from '../../helpers/windows.js';

// Two worker processes' pacers, each on a connection of its own to one database (FerretDB on the
// integration tier): together they keep within the rate, and one left alone is held back by nobody.

const RATE = 5;
const rates = Object.fromEntries(PLATFORM_IDS.map((p) => [p, RATE])) as Record<PlatformId, number>;

interface Process {
  pace: TokenRequestPacer;
  /** Claims another process had taken first. */
  conflicts: number;
}

function processOn(models: Models): Process {
  const process: Process = { pace: () => Promise.resolve(), conflicts: 0 };
  const book: SlotBook = {
    async claim(platform, first, span, startsAt) {
      const won = await claimRenewalSlots(models, platform, first, span, startsAt);
      if (!won) process.conflicts++;
      return won;
    },
  };
  process.pace = createTokenRequestPacer(rates, 0.95, book);
  return process;
}

/** Sends `count` requests through each process at once; the epoch-ms times they were let through. */
async function burst(processes: Process[], count: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(processes.flatMap((p) => Array.from({ length: count }, () => p.pace('x').then(() => times.push(Date.now())))));
  return times;
}

describe('token-request slots shared through the database', () => {
  let db: TestDatabase;
  let second: Awaited<ReturnType<typeof connectDatabase>>;
  let first: Process;
  let other: Process;

  beforeAll(async () => {
    const config = testConfig();
    db = await openDatabase(config);
    await ensureIndexes(db.models);
    second = await connectDatabase(config.mongo.uri);
    first = processOn(db.models);
    other = processOn(createModels(second));
  });
  afterAll(async () => {
    await second?.close();
    await db?.close();
  });

  it('keep two processes together within the rate in every second, sliding or fixed', async () => {
    const times = await burst([first, other], 20);
    expect(times).toHaveLength(40);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(RATE);
    for (const offset of [0, 250, 500, 750]) expect(busiestFixedWindow(times, 1000, offset)).toBeLessThanOrEqual(RATE);
    // They competed for the same slots: each found some taken by the other.
    expect(first.conflicts).toBeGreaterThan(0);
    expect(other.conflicts).toBeGreaterThan(0);
  });

  it('leave the whole grid to the process that is left: it finds no slot taken', async () => {
    // The other process's last slot is behind its last release; once that is past its tolerance nobody holds a slot ahead.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const conflictsBefore = first.conflicts;
    const times = await burst([first], 15);
    expect(times).toHaveLength(15);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(RATE);
    expect(first.conflicts).toBe(conflictsBefore);
  });

  it('take each slot once, however many ask for it at once, and sweep the old ones', async () => {
    const startsAt = new Date(Date.now() - 2 * 3600_000);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => claimRenewalSlots(i % 2 === 0 ? db.models : createModels(second), 'linkedin', 42, 1, startsAt)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await sweepRenewalSlots(db.models, new Date(Date.now() - 3600_000))).toBe(1);
    expect(await db.models.RenewalSlot.countDocuments({ _id: 'linkedin:42' })).toBe(0);
    expect(await db.models.RenewalSlot.countDocuments({})).toBeGreaterThanOrEqual(55);
  });

  it('take two slots together or not at all when one of them is held', async () => {
    const startsAt = new Date();
    expect(await claimRenewalSlots(db.models, 'pinterest', 7, 2, startsAt)).toBe(true);
    // Overlapping claims from the other process, on either side, lose.
    expect(await claimRenewalSlots(createModels(second), 'pinterest', 8, 2, startsAt)).toBe(false);
    expect(await claimRenewalSlots(createModels(second), 'pinterest', 6, 2, startsAt)).toBe(false);
    expect(await claimRenewalSlots(createModels(second), 'pinterest', 9, 1, startsAt)).toBe(true);
    const held = await db.models.RenewalSlot.find({ _id: /^pinterest:/ }).lean();
    expect(held.map((slot) => slot._id).sort()).toEqual(['pinterest:6', 'pinterest:7', 'pinterest:8', 'pinterest:9']);
  });

  it('let a request alone through at once on a pair of slots, within the rate', async () => {
    const intervalMs = 1000 / (0.95 * RATE);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const waits: number[] = [];
    const released: number[] = [];
    for (let i = 0; i < 6; i++) {
      // Arrive well into a slot, where a request waiting for the next slot would wait most of an interval.
      const into = Date.now() % intervalMs;
      await new Promise((resolve) => setTimeout(resolve, (intervalMs - into + 0.3 * intervalMs) % intervalMs + 2 * intervalMs));
      const asked = Date.now();
      await first.pace('x');
      released.push(Date.now());
      waits.push(released.at(-1)! - asked);
    }
    // The insert's round trip is all a request alone waits.
    expect(Math.max(...waits)).toBeLessThan(0.5 * intervalMs);
    expect(busiestWindow(released, 1000)).toBeLessThanOrEqual(RATE);
  });
});
