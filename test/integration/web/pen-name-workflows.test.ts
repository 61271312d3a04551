import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { approveConsent } from '../../../sandbox/client.js';
import { accountWorkflowId } from '../../../workflows/account/messages.js';
import { PEN_NAME } from '../../../workflows/search-attributes.js';
import { waitFor } from '../../helpers/lifecycle.js';
import { postForm, registerPayingUser, useLiveWeb, type Agent } from './support.js';

// Temporal UI names an account `@handle on X — pen name`: the first run's static summary, and atop
// the current details of every run (continue-as-new carries no static summary). Renaming the pen
// name, or moving the account, tells each workflow: `TetherPenName` and that line follow.

describe('web: account workflows follow their pen name in Temporal UI', () => {
  // Checks every 2 s and a short history: the workflow continues-as-new within seconds.
  const web = useLiveWeb({ workflowDefaults: { healthCheckMs: 2_000, historyEventLimit: 30 } });

  const connectX = async (agent: Agent, identity: string) => {
    const start = await agent.get('/connect/x').expect(303);
    const redirect = new URL(await approveConsent(start.headers.location as string, { identity }));
    await agent.get(redirect.pathname + redirect.search).expect(303);
  };
  const handleOf = (accountId: string) => web.temporal.client.workflow.getHandle(accountWorkflowId(accountId));
  /** The latest run: its id, pen name attribute and the first line of its current details. */
  const shown = async (accountId: string) => {
    const handle = handleOf(accountId);
    const described = await handle.describe();
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return { runId: described.runId, penName: described.typedSearchAttributes.get(PEN_NAME), title: metadata.currentDetails?.split('\n')[0] };
  };
  const nextRun = (accountId: string, after: string) =>
    waitFor('a continue-as-new', async () => {
      const now = await shown(accountId);
      return now.runId !== after ? now : undefined;
    }, 60_000);

  it('keeps the title after continue-as-new and follows a rename, across later runs too', { timeout: 180_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'titled' });
    await connectX(user.agent, identity.id);
    const account = (await web.db.models.Account.findOne({ ownerId: user.id, externalId: identity.id }).lean())!;
    const first = await handleOf(account._id).describe();
    expect(await first.staticSummary()).toBe(`@titled on X — ${owner.penName}`);

    const continued = await nextRun(account._id, first.runId);
    expect(continued.title).toBe(`**@titled on X — ${owner.penName}**`);
    expect(continued.penName).toBe(owner.penName);

    const renamed = await postForm(user.agent, `/pen-names/${owner.penNameId}/rename`, { name: 'Night Shift' }, '/pen-names');
    expect([renamed.status, renamed.headers.location]).toEqual([303, '/pen-names']);
    expect((await user.agent.get('/pen-names').expect(200)).text).toContain("Renamed to &#34;Night Shift&#34;. Temporal shows the new name on the account&#39;s workflow.");
    const after = await waitFor('the new pen name in Temporal', async () => {
      const now = await shown(account._id);
      return now.penName === 'Night Shift' ? now : undefined;
    }, 30_000);
    expect(after.title).toBe('**@titled on X — Night Shift**');

    // The next run carries the new name.
    const later = await nextRun(account._id, after.runId);
    expect(later).toMatchObject({ penName: 'Night Shift', title: '**@titled on X — Night Shift**' });
  });

  it('says which accounts Temporal could not be told about', { timeout: 60_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    // An account whose workflow is not running (as after a failed start).
    await web.db.models.Account.create({
      _id: randomUUID(), ownerId: owner.ownerId, penNameId: owner.penNameId, platform: 'x', externalId: randomUUID(), handle: 'no_workflow', displayName: 'No workflow', meta: {}, connectedAt: new Date(),
      status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: new Date() },
    });
    const renamed = await postForm(user.agent, `/pen-names/${owner.penNameId}/rename`, { name: 'Quiet Hours' }, '/pen-names');
    expect(renamed.status).toBe(303);
    const page = (await user.agent.get('/pen-names').expect(200)).text;
    expect(page).toContain('Renamed to &#34;Quiet Hours&#34;. Temporal shows the new name on 0 of 1 accounts&#39; workflows; not yet on @no_workflow on X (its workflow is not running). Rename it again (to the same name) to retry.');
    expect(await web.db.models.PenName.findById(owner.penNameId).lean()).toMatchObject({ name: 'Quiet Hours' });
  });
});
