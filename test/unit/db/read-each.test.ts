import { describe, expect, it } from 'vitest';
import { readEach } from '../../../db/read-each.js';

// Point reads by `_id` in place of an `$in` (db/read-each.ts): each distinct id read once, the
// missing ones left out, in the order asked.

describe('readEach', () => {
  it('reads each distinct id once, concurrently, and leaves out the ids not found', async () => {
    const stored = new Map([
      ['a', { _id: 'a' }],
      ['c', { _id: 'c' }],
    ]);
    const asked: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const read = async (id: string) => {
      asked.push(id);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return stored.get(id) ?? null;
    };

    const found = await readEach(['c', 'b', 'a', 'c'], read);

    expect(found).toEqual([{ _id: 'c' }, { _id: 'a' }]);
    expect(asked).toEqual(['c', 'b', 'a']);
    expect(mostInFlight).toBe(3);
  });

  it('reads nothing for no ids', async () => {
    let reads = 0;
    expect(await readEach([], async () => ((reads += 1), null))).toEqual([]);
    expect(reads).toBe(0);
  });
});
