import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/index.js';
import { createCredentialStore } from '../../../db/credentials.js';
import { ensureIndexes } from '../../../db/models/index.js';
import { createPkce } from '../../../platforms/oauth.js';
import type { PlatformAdapter, PlatformId } from '../../../platforms/types.js';
import { approveConsent, SandboxClient, type CallbackDelivery } from '../../../sandbox/client.js';
import { signedRequest } from '../../../sandbox/core/callbacks.js';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server.js';
import { completeConnection } from '../../../services/accounts/complete-connection.js';
import { phraseReason } from '../../../services/phrasing/index.js';
import { accountWorkflowId, stateQuery } from '../../../workflows/account/messages.js';
import { openDatabase, startWorker, temporalClient, testConfig, type RunningWorker, type TestDatabase } from '../../helpers/integration.js';
import { connectThroughSandbox, createOwner, lifecycleActivitiesFor, sandboxAdapters, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { webApp } from './support.js';

// Deauthorization callbacks end to end: the sandbox removes the app and calls the dashboard on a
// real port (PUBLIC_URL), the dashboard verifies the signature and signals the account workflow,
// which expires the account with the platform's reason. Forged callbacks change nothing.

const ALICE_FB = '100000000000001';
const BOB_FB = '100000000000002';
const ALICE_PAGE = '2000000000000011';
const BOB_PAGE = '2000000000000021';
const ALICE_IG = '17841400000000011';
const ALICE_TIKTOK = '-000ALICEopenid1AbCdEfGh';
const BOB_TIKTOK = '-000BOBopenid2AbCdEfGh';
const ALICE_THREADS = '7000000000000001';
const CAROL_FB = '100000000000003';
const CAROL_TIKTOK = '-000CAROLopenid3AbCdEfGh';

describe('web: platform deauthorization webhooks', () => {
  let server: Server;
  let config: Config;
  let db: TestDatabase;
  let sandbox: RunningSandbox;
  let control: SandboxClient;
  let temporal: { client: Client; close(): Promise<void> };
  let worker: RunningWorker;
  let owner: Owner;

  beforeAll(async () => {
    // Listen first so PUBLIC_URL can name the real port; the app is plugged in once it exists.
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
    server = createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    config = testConfig({ PUBLIC_URL: publicUrl });
    db = await openDatabase(config);
    await ensureIndexes(db.models);
    sandbox = await startSandbox({
      port: 0,
      clients: config.platforms.clients,
      deauthorizeUrls: {
        facebook: `${publicUrl}/webhooks/facebook/deauthorize`,
        threads: `${publicUrl}/webhooks/threads/deauthorize`,
        tiktok: `${publicUrl}/webhooks/tiktok`,
      },
    });
    control = new SandboxClient(sandbox.url);
    temporal = await temporalClient(config);
    worker = await startWorker(config, lifecycleActivitiesFor(config, db, sandbox.url));
    handle = webApp(config, db, { workflows: { client: temporal.client, taskQueue: config.temporal.taskQueue } });
    owner = await createOwner(db);
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await worker?.stop();
    await temporal?.close();
    await sandbox?.close();
    await db?.close();
  });

  /** Consent as `identity`, then connect the login's Page or Instagram account `targetId` as the dashboard's choice form does. */
  const connectTarget = async (platform: PlatformId, identity: string, targetId: string): Promise<string> => {
    const adapter = sandboxAdapters(config, sandbox.url)[platform] as PlatformAdapter;
    const redirectUri = `${config.web.publicUrl}/connect/${platform}/callback`;
    const pkce = createPkce();
    const redirect = new URL(await approveConsent(adapter.authorizationUrl({ state: 's', redirectUri, codeChallenge: pkce.challenge }), { identity }));
    const tokens = await adapter.exchangeCode({ code: redirect.searchParams.get('code')!, redirectUri, codeVerifier: pkce.verifier });
    if (tokens.kind !== 'ok') throw new Error(JSON.stringify(tokens));
    const login = await adapter.identity(tokens.value);
    if (login.kind !== 'ok') throw new Error(JSON.stringify(login));
    const targets = await adapter.listTargets!(tokens.value, login.value);
    if (targets.kind !== 'ok') throw new Error(JSON.stringify(targets));
    const target = targets.value.find((t) => t.externalId === targetId);
    if (!target?.tokens) throw new Error(`no target ${targetId}`);
    const { tokens: targetTokens, kind: _kind, ...targetIdentity } = target;
    const completed = await completeConnection(
      { models: db.models, store: createCredentialStore(db.models, config.tokenEncryptionKey), workflows: { client: temporal.client, taskQueue: config.temporal.taskQueue } },
      { ...owner, platform, identity: targetIdentity, tokens: targetTokens },
    );
    expect(completed.result.accepted).toBe(true);
    return completed.accountId;
  };
  const connectLogin = async (platform: PlatformId, identity: string) =>
    (await connectThroughSandbox({ config, db, client: temporal.client, sandboxUrl: sandbox.url, owner, platform, identity })).accountId;

  const workflowState = (accountId: string) => temporal.client.workflow.getHandle(accountWorkflowId(accountId)).query(stateQuery);
  /** Expired with the removal's code, which pages phrase with the platform named. */
  const expiredWith = async (accountId: string, words: string) => {
    const account = await waitFor('the account to expire', async () => {
      const found = await db.models.Account.findById(accountId).lean();
      return found?.status?.state === 'expired' ? found : undefined;
    }, 15_000);
    expect(account.status?.reason).toEqual({ code: 'app_removed' });
    expect(phraseReason(account.status!.reason!, { platform: account.platform, timeZone: 'UTC' })).toBe(words);
    expect(await workflowState(accountId)).toMatchObject({ status: 'expired', reason: { code: 'app_removed' } });
  };
  const removeApp = async (platform: PlatformId, externalId: string): Promise<CallbackDelivery> => {
    const result = await control.removeApp(platform, externalId);
    expect(result.callback).toBeDefined();
    expect(result.callback?.error).toBeUndefined();
    expect(result.callback?.status).toBe(200);
    return result.callback!;
  };
  const post = (url: string, body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers });

  it('expires Instagram, then Facebook Page accounts reached through the removed login, with the platform named', { timeout: 60_000 }, async () => {
    const page = await connectTarget('facebook', ALICE_FB, ALICE_PAGE);
    const instagram = await connectTarget('instagram', ALICE_FB, ALICE_IG);

    // Instagram's app is a different Meta app here: its callback (same URL) covers only Instagram.
    const igDelivery = await removeApp('instagram', ALICE_IG);
    expect(igDelivery.url).toBe(`${config.web.publicUrl}/webhooks/facebook/deauthorize`);
    await expiredWith(instagram, "You removed Tether's access on Instagram — reconnect to continue");
    expect((await workflowState(page)).status).toBe('active');

    const fbDelivery = await removeApp('facebook', ALICE_PAGE);
    expect(new URLSearchParams(fbDelivery.body).get('signed_request')).toBeTruthy();
    await expiredWith(page, "You removed Tether's access on Facebook — reconnect to continue");
  });

  it('expires a TikTok account on authorization.removed and a Threads account on its uninstall callback', { timeout: 60_000 }, async () => {
    const tiktok = await connectLogin('tiktok', ALICE_TIKTOK);
    const threads = await connectLogin('threads', ALICE_THREADS);
    const delivery = await removeApp('tiktok', ALICE_TIKTOK);
    expect(delivery.headers['TikTok-Signature']).toMatch(/^t=\d+,s=[0-9a-f]{64}$/);
    await expiredWith(tiktok, "You removed Tether's access on TikTok — reconnect to continue");

    await removeApp('threads', ALICE_THREADS);
    await expiredWith(threads, "You removed Tether's access on Threads — reconnect to continue");
  });

  it('acknowledges users Tether does not know; refuses tampered callbacks with 400 and signals nothing', { timeout: 60_000 }, async () => {
    const bobPage = await connectTarget('facebook', BOB_FB, BOB_PAGE);
    const bobTiktok = await connectLogin('tiktok', BOB_TIKTOK);
    // Carol is unknown on Facebook, and her TikTok account has no workflow: genuine callbacks are
    // still answered 200 so the platform stops retrying.
    await db.models.Account.create({ _id: 'carol-without-workflow', ownerId: owner.ownerId, penNameId: owner.penNameId, platform: 'tiktok', externalId: CAROL_TIKTOK, handle: 'carol.tok', displayName: 'Carol', connectedAt: new Date(Date.now() - 60_000) });
    const facebook = await removeApp('facebook', CAROL_FB);
    const tiktok = await removeApp('tiktok', CAROL_TIKTOK);

    // Carol's genuine signed_request with Bob's user id swapped into the payload.
    const [signature, payload] = new URLSearchParams(facebook.body).get('signed_request')!.split('.');
    const forgedPayload = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace(CAROL_FB, BOB_FB)).toString('base64url');
    expect(forgedPayload).not.toBe(payload);
    const forgedFacebook = await post(facebook.url, new URLSearchParams({ signed_request: `${signature}.${forgedPayload}` }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(forgedFacebook.status).toBe(400);
    expect(await forgedFacebook.json()).toEqual({ error: expect.stringMatching(/signature/) });

    // Carol's genuine TikTok webhook with Bob's open_id in the body, header unchanged.
    const forgedBody = tiktok.body.replace(CAROL_TIKTOK, BOB_TIKTOK);
    expect(forgedBody).not.toBe(tiktok.body);
    const forgedTiktok = await post(tiktok.url, forgedBody, { 'content-type': 'application/json', 'TikTok-Signature': tiktok.headers['TikTok-Signature']! });
    expect(forgedTiktok.status).toBe(400);
    expect(await forgedTiktok.json()).toEqual({ error: expect.stringMatching(/signature/i) });

    for (const accountId of [bobPage, bobTiktok]) {
      expect(await workflowState(accountId)).toMatchObject({ status: 'active' });
      expect((await db.models.Account.findById(accountId).lean())?.status?.state).toBe('active');
    }
  });

  it('refuses a correctly signed Meta notice without issued_at or older than the window, and signals nothing', { timeout: 60_000 }, async () => {
    const bobPage = await connectTarget('facebook', BOB_FB, BOB_PAGE);
    const secret = config.platforms.clients.facebook!.clientSecret;
    const nowSec = Math.floor(Date.now() / 1000);
    const notices = [
      { algorithm: 'HMAC-SHA256', user_id: BOB_FB },
      { algorithm: 'HMAC-SHA256', user_id: BOB_FB, issued_at: nowSec - config.security.metaSignedRequestMaxAgeSec - 60 },
    ];
    for (const notice of notices) {
      const response = await post(`${config.web.publicUrl}/webhooks/facebook/deauthorize`, new URLSearchParams({ signed_request: signedRequest(secret, notice) }).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/issued_at/) });
    }
    expect(await workflowState(bobPage)).toMatchObject({ status: 'active' });
    // The same notice, fresh, is acted on.
    const fresh = await post(`${config.web.publicUrl}/webhooks/facebook/deauthorize`, new URLSearchParams({ signed_request: signedRequest(secret, { ...notices[0], issued_at: nowSec }) }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(fresh.status).toBe(200);
    await expiredWith(bobPage, "You removed Tether's access on Facebook — reconnect to continue");
  });
});
