import type { PlatformId } from '../../platforms/types.js';
import { nextClaim, slotGrid, slotStart, type SlotClaim, type SlotGrid } from './slot-grid.js';

// Token requests paced per platform across every worker process: each request takes a slot of the
// platform's shared grid (slot-grid.ts) from a slot book all processes share (the database in
// production), waits for the slot's start and is let through only while the slot is still on time.
// The rate therefore holds whatever the number of worker processes, each process takes slots only
// while it has requests waiting (a process alone gets the whole rate), and nothing depends on the
// renewal task queue's partitions.
//
// One gate per platform and process takes one slot at a time, for the request at the head of its
// queue, first come first served (two at a time for a request alone, so it need not wait). After an event-loop stall the slots that passed meanwhile are
// given up and the waiting requests take later ones: they never leave together (p-throttle, used
// before, fired every overdue timer in the same turn).

/** Waits until this process may send the platform its next token request. */
export type TokenRequestPacer = (platform: PlatformId) => Promise<void>;

export const UNPACED: TokenRequestPacer = () => Promise.resolve();

/** Who holds which slot: `claim` answers whether this caller took slots `first` to `first + span - 1` (nobody had any of them). */
export interface SlotBook {
  claim(platform: PlatformId, first: number, span: number, startsAt: Date): Promise<boolean>;
}

/** A slot book in memory, for tests: one process, and it keeps every slot it handed out. */
export function createInMemorySlotBook(): SlotBook {
  const taken = new Set<string>();
  return {
    claim(platform, first, span) {
      const keys = Array.from({ length: span }, (_, i) => `${platform}:${first + i}`);
      if (keys.some((key) => taken.has(key))) return Promise.resolve(false);
      for (const key of keys) taken.add(key);
      return Promise.resolve(true);
    },
  };
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, Math.ceil(ms))));

class SlotGate {
  private readonly waiting: Waiter[] = [];
  private running = false;
  private lastTried = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly platform: PlatformId,
    private readonly grid: SlotGrid,
    private readonly book: SlotBook,
  ) {}

  wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        let claim: SlotClaim;
        try {
          claim = await this.claimSlots();
        } catch (error) {
          // The book is unreachable: this request fails (its activity retries); the next tries again.
          this.waiting.shift()!.reject(error);
          continue;
        }
        await reach(claim.releaseAt);
        // Checked in the same turn as the release, so a stall after this check cannot delay the request it releases.
        if (Date.now() <= claim.latestAt) this.waiting.shift()!.resolve();
      }
    } finally {
      this.running = false;
    }
  }

  /** The first free slots that are still on time when the book answers. */
  private async claimSlots(): Promise<SlotClaim> {
    for (;;) {
      const claim = nextClaim(this.grid, Date.now(), this.lastTried, this.waiting.length === 1);
      this.lastTried = claim.first + claim.span - 1;
      if ((await this.book.claim(this.platform, claim.first, claim.span, new Date(slotStart(this.grid, claim.first)))) && Date.now() <= claim.latestAt) return claim;
    }
  }
}

/** Waits until `moment`; timers may fire a fraction of a millisecond early, so it checks again. */
async function reach(moment: number): Promise<void> {
  for (let early = moment - Date.now(); early > 0; early = moment - Date.now()) await sleep(early);
}

/**
 * A pacer per platform at `share` of its rate, on slots taken from `book`: give every worker process
 * the same rates, share and shared book, and together they stay within the rates.
 * @param ratesPerSecond each platform's renewal rate (RENEWALS_PER_SECOND with the built-in defaults)
 */
export function createTokenRequestPacer(ratesPerSecond: Record<PlatformId, number>, share: number, book: SlotBook): TokenRequestPacer {
  const gates = new Map<PlatformId, SlotGate>();
  return (platform) => {
    let gate = gates.get(platform);
    if (!gate) {
      gate = new SlotGate(platform, slotGrid(ratesPerSecond[platform], share), book);
      gates.set(platform, gate);
    }
    return gate.wait();
  };
}
