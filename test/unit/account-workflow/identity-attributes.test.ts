import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { OWNER, PEN_NAME, PLATFORM, STATUS, identityAttributes } from '../../../workflows/search-attributes.js';
import { useWorkflowTestEnvironment, type AccountHandle } from './environment.js';

// Who the account is (platform, pen name, owner) reaches Temporal UI's search attributes. The
// dashboard gives them when it starts the workflow, which Temporal Cloud does not bill and which
// adds no event; the workflow upserts only those it finds missing or different.

/** The search-attribute keys (sorted) of each upsert the workflow made, in order (the SDK's patch-marker upserts left out). */
async function upsertedKeys(handle: AccountHandle): Promise<string[][]> {
  const { events } = await handle.fetchHistory();
  return (events ?? [])
    .map((event: temporal.api.history.v1.IHistoryEvent) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}))
    .filter((keys) => keys.length > 0 && !keys.includes('TemporalChangeVersion'))
    .map((keys) => keys.sort());
}

describe('the account identity in search attributes', () => {
  const world = useWorkflowTestEnvironment();

  it('started with them, as the dashboard starts it, the connect upserts only the status', async () => {
    const { handle } = await world.connect();
    // The lifecycle's attributes, the legacy access-token expiry cleared among them.
    expect(await upsertedKeys(handle)).toEqual([['TetherGrantExpiresAt', 'TetherNextActionAt', 'TetherStatus', 'TetherTokenExpiresAt']]);
    const shown = (await handle.describe()).typedSearchAttributes;
    expect([shown.get(PLATFORM), shown.get(PEN_NAME), shown.get(OWNER), shown.get(STATUS)]).toEqual(['x', 'Stub Notes', 'owner-1', 'active']);
  });

  it('started without them (a workflow started before they were given), the workflow sets all three itself', async () => {
    const { handle } = await world.connect({ startAttributes: () => [] });
    expect((await upsertedKeys(handle)).at(-1)).toEqual(['TetherOwner', 'TetherPenName', 'TetherPlatform']);
    const shown = (await handle.describe()).typedSearchAttributes;
    expect([shown.get(PLATFORM), shown.get(PEN_NAME), shown.get(OWNER)]).toEqual(['x', 'Stub Notes', 'owner-1']);
  });

  it('started with a pen name renamed since, the workflow upserts that name alone', async () => {
    const { handle } = await world.connect({ startAttributes: (stub) => identityAttributes({ ...stub.summary(), penName: 'Old Notes' }) });
    expect((await upsertedKeys(handle)).at(-1)).toEqual(['TetherPenName']);
    expect((await handle.describe()).typedSearchAttributes.get(PEN_NAME)).toBe('Stub Notes');
  });
});
