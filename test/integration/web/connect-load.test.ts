import { describe, expect, it } from 'vitest';
import { approveConsent } from '../../../sandbox/client.js';
import { registerPayingUser, type TestUser, useLiveWeb } from './support.js';

// Many users connecting (then reconnecting) X at the same moment through the dashboard: the OAuth
// start, the sandbox consent and the callback over HTTP, real FerretDB (by default) and the
// Temporal dev server. Under this load the database makes writers wait; none may fail a user.

const USERS = 32;

describe('web: concurrent connects and reconnects', () => {
  const web = useLiveWeb();

  /** Starts the connect, consents as `identity` and follows the callback; answers the flash the user sees. */
  const connectAs = async (user: TestUser, identity: string): Promise<string> => {
    const start = await user.agent.get('/connect/x').expect(303);
    const redirect = new URL(await approveConsent(start.headers.location as string, { identity }));
    const callback = await user.agent.get(redirect.pathname + redirect.search);
    expect(callback.status, callback.text).toBe(303);
    expect(callback.headers.location).toBe('/connections');
    const page = await user.agent.get('/connections').expect(200);
    return /<[^>]*class="flash[^"]*"[^>]*>([\s\S]*?)<\//.exec(page.text)?.[1]?.trim() ?? page.text;
  };

  it(`${USERS} users connect at once, then reconnect at once, and every one succeeds`, { timeout: 300_000 }, async () => {
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, index) => ({
        user: (await registerPayingUser(web)).user,
        identity: (await web.sandbox.control.createIdentity({ platform: 'x', handle: `crowd_${index}` })).id,
        handle: `crowd_${index}`,
      })),
    );

    const connected = await Promise.all(users.map(({ user, identity }) => connectAs(user, identity)));
    connected.forEach((flash, index) => expect(flash).toContain(`Connected @crowd_${index} on X: active.`));

    const reconnected = await Promise.all(users.map(({ user, identity }) => connectAs(user, identity)));
    reconnected.forEach((flash, index) => expect(flash).toContain(`Reconnected @crowd_${index} on X: active.`));

    for (const { user } of users) {
      const accounts = await web.db.models.Account.find({ ownerId: user.id }).lean();
      expect(accounts).toHaveLength(1);
      expect(accounts[0]?.status?.state).toBe('active');
      expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(1);
    }
  });
});
