// The time grid token requests to one platform are paced on, shared by every worker process: slot
// n starts at n × interval (epoch ms), interval = 1 / (share × rate). Each request takes a slot of
// its own (a unique insert, db/renewal-slots.ts) and is sent between its slot's start and that
// start plus the tolerance. Starts an interval apart, each reaching the platform at most `slack`
// after it, put at most ⌈(window + slack) / interval⌉ = `cap` requests into any sliding window,
// whichever processes send them. Half the slack is the tolerance (how late the pacer may release a
// request); the other half is left to the request's way to the platform (event loops, the network,
// clock skew between hosts). A slot whose moment passed (an event-loop stall, a slow insert) is
// given up, never sent late, so waiting requests never leave together. A request alone may take
// two slots and leave at once (nextClaim).

export interface SlotGrid {
  /** Gap between two slot starts, ms. */
  readonly intervalMs: number;
  /** How late after its start a slot's request may still reach the platform without crowding a window, ms. */
  readonly slackMs: number;
  /** How late after its start a slot may still be used: half the slack, ms. */
  readonly toleranceMs: number;
}

/**
 * The grid for `ratePerSecond` at `share` of it. The window that must never hold more than the rate
 * is a second (at least one request per window: 1 / rate seconds below 1 per second); the share
 * leaves the slack (53 ms at 0.95 and a whole rate, of which 26 ms are the tolerance).
 */
export function slotGrid(ratePerSecond: number, share: number): SlotGrid {
  if (!(ratePerSecond > 0) || !(share > 0) || !(share < 1)) throw new RangeError(`pacing needs a rate above 0 and a share in (0, 1), got ${ratePerSecond} and ${share}`);
  const intervalMs = 1000 / (ratePerSecond * share);
  const windowMs = 1000 * Math.max(1, 1 / ratePerSecond);
  const cap = Math.max(1, Math.floor(ratePerSecond));
  // A rate that is not a whole number leaves less slack than its share; the share's own slack is kept then.
  const slackMs = Math.max(cap * intervalMs - windowMs, (1 - share) * intervalMs);
  return { intervalMs, slackMs, toleranceMs: slackMs / 2 };
}

export function slotStart(grid: SlotGrid, slot: number): number {
  return slot * grid.intervalMs;
}

/** How late `now` is for `slot` (negative: not started yet). */
function lateness(grid: SlotGrid, slot: number, now: number): number {
  return now - slotStart(grid, slot);
}

/** Slots `first` to `first + span - 1` to take together; the request leaves between `releaseAt` and `latestAt` (epoch ms). */
export interface SlotClaim {
  readonly first: number;
  readonly span: 1 | 2;
  readonly releaseAt: number;
  readonly latestAt: number;
}

function oneSlot(grid: SlotGrid, slot: number): SlotClaim {
  const start = slotStart(grid, slot);
  return { first: slot, span: 1, releaseAt: start, latestAt: start + grid.toleranceMs };
}

/**
 * The claim worth trying at `now`, after the slots up to `lastTried`: the current slot while at most
 * half its tolerance has passed (the claim's round trip gets the other half); else, for a request
 * with nobody queued behind it, the current slot and the next together, left at once (see below);
 * else the next slot.
 *
 * Taking two slots lets a lone request leave without waiting for the next slot start (half an
 * interval on average) and keeps the bound: it leaves no earlier than the first slot's start and no
 * later than the second's tolerance, so whichever of its two slots starts inside a window stands for
 * it there, and no window gains a request. A queue never does it: two slots per request would halve
 * the rate.
 */
export function nextClaim(grid: SlotGrid, now: number, lastTried: number, alone: boolean): SlotClaim {
  const current = Math.floor(now / grid.intervalMs);
  if (current > lastTried) {
    if (lateness(grid, current, now) <= grid.toleranceMs / 2) return oneSlot(grid, current);
    if (alone) return { first: current, span: 2, releaseAt: now, latestAt: slotStart(grid, current + 1) + grid.toleranceMs };
  }
  return oneSlot(grid, Math.max(current + 1, lastTried + 1));
}
