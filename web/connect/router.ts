import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isAccountOf } from '../../db/accounts.js';
import { createCredentialStore } from '../../db/credentials.js';
import { penNameOf } from '../../db/pen-names.js';
import { slotsUsed } from '../../db/plan-slots.js';
import { createPkce } from '../../platforms/oauth.js';
import { PLATFORM_IDS, PLATFORM_NAMES, type Failure, type Identity, type IssuedTokens, type PlatformId } from '../../platforms/types.js';
import type { ConnectDeps as ConnectAccountDeps } from '../../services/accounts/connect-account.js';
import { limitOf } from '../../services/plans/catalog.js';
import { requireUser } from '../auth/guards.js';
import type { AccountPagesDeps } from '../deps.js';
import { readerOf } from '../reader.js';
import { fieldErrors, flash, renderInvalid, renderNotFound, renderPage } from '../respond.js';
import { finishConnection } from './finish.js';
import { newState, openChoice, sealChoice, STATE_LIFETIME_MS, takeAuthorization } from './pending.js';

// Connect flows: OAuth start and callback (state and PKCE kept in the session), the choice step
// for platforms whose login covers several posting targets, and Bluesky's app-password form.

export type ConnectDeps = AccountPagesDeps;

const platformParam = z.object({ platform: z.enum(PLATFORM_IDS) });
const blueskyBody = z.object({
  identifier: z.string({ message: 'is required' }).trim().min(3, { message: 'enter your handle, like name.bsky.social' }).max(253),
  appPassword: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(100),
});
const BLUESKY_LABELS = { identifier: 'Handle', appPassword: 'App password' };
const startQuery = z.object({
  reconnect: z.string({ message: 'must name one account' }).min(1, { message: 'is required' }).max(100, { message: 'is not an account id' }).optional(),
  handle: z.string({ message: 'must be one handle' }).max(253, { message: 'is too long' }).optional(),
});
const START_LABELS = { reconnect: 'Account to reconnect', handle: 'Handle' };
const choiceBody = z.object({ target: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])).pipe(z.array(z.string().min(1)).min(1)) });

const STATE_PROBLEMS = {
  missing: 'Tether has no record of starting this connection (it was already used, or it was started in another browser or session).',
  mismatch: 'The answer from the platform does not match the connection Tether started. It may have been tampered with.',
  expired: `The connection took longer than ${STATE_LIFETIME_MS / 60_000} minutes to complete.`,
} as const;

export function connectRouter(deps: ConnectDeps): Router {
  const router = Router();
  const store = createCredentialStore(deps.models, deps.config.tokenEncryptionKey);
  const finishDeps: ConnectAccountDeps = { config: deps.config, models: deps.models, store, workflows: deps.workflows };
  const redirectUri = (platform: PlatformId) => `${deps.config.web.publicUrl}/connect/${platform}/callback`;

  router.use(requireUser);

  /** Refuses with a page when the plan has no room; a reconnect of an account already held needs none. */
  const refuseWithoutRoom = async (req: Request, res: Response, platform: PlatformId): Promise<boolean> => {
    // A Reconnect link names an account: only one of the user's own, of the pen name worked in and this platform.
    const query = startQuery.safeParse(req.query);
    if (!query.success) {
      await renderInvalid(res, 'error', { errors: fieldErrors(query.error, START_LABELS), locals: { title: 'Bad request', heading: 'Could not start the connection' } });
      return true;
    }
    const { reconnect } = query.data;
    const reconnecting = reconnect !== undefined;
    if (reconnecting && !(await isAccountOf(deps.models, { ownerId: req.user!.id, penNameId: req.penName!.id, platform }, reconnect))) {
      await renderNotFound(res, 'connected account');
      return true;
    }
    const limit = limitOf(deps.config.plans, req.user!.plan);
    const name = PLATFORM_NAMES[platform];
    if (limit === 0) {
      await renderPage(res, 'connect/unavailable', { title: 'Connect unavailable', heading: `Connecting ${name} is not available on your plan`, message: 'Your plan does not include connected accounts. Choose a plan with room for them on the Billing page.' }, 403);
      return true;
    }
    if (!reconnecting && (await slotsUsed(deps.models, req.user!.id)) >= limit) {
      await renderPage(res, 'connect/unavailable', { title: 'Connect unavailable', heading: 'Your plan is full', message: `Your plan allows ${limit} connected account${limit === 1 ? '' : 's'} and all are in use. Upgrade, or disconnect an account first.` }, 409);
      return true;
    }
    return false;
  };

  const finish = async (req: Request, res: Response, input: { platform: PlatformId; penNameId: string; identity: Identity; tokens: IssuedTokens }) => {
    const penName = await penNameOf(deps.models, req.user!.id, input.penNameId);
    if (!penName) return renderNotFound(res, 'pen name');
    const finished = await finishConnection(finishDeps, { ...input, ownerId: req.user!.id, penNameId: penName.id, penName: penName.name }, readerOf(req));
    flash(req, finished.ok && finished.accepted ? 'info' : 'error', finished.message);
    // Posts that fell due while the account was expired wait for the user's choice on the reconnect result page.
    res.redirect(303, finished.ok && finished.hasOverduePosts ? `/connections/${finished.accountId}/overdue` : '/connections');
  };

  const failed = (req: Request, res: Response, platform: PlatformId, failure: Failure) => {
    flash(req, 'error', `${PLATFORM_NAMES[platform]} was not connected: ${failure.message}`);
    res.redirect(303, '/connections');
  };

  const renderBluesky = (res: Response, extra: { errors?: Record<string, string>; values?: Record<string, unknown>; status?: number } = {}) =>
    renderInvalid(res, 'connect/bluesky', { errors: extra.errors ?? {}, values: extra.values ?? {}, locals: { title: 'Connect Bluesky' }, status: extra.status ?? 200 });

  router.get('/bluesky', async (req, res) => {
    if (await refuseWithoutRoom(req, res, 'bluesky')) return;
    await renderBluesky(res, { values: { identifier: typeof req.query.handle === 'string' ? req.query.handle.slice(0, 253) : '' } });
  });

  router.post('/bluesky', async (req, res) => {
    const adapter = deps.adapters.bluesky;
    if (!adapter?.createSession) return renderNotFound(res, 'platform');
    const body = blueskyBody.safeParse(req.body ?? {});
    const identifier = typeof req.body?.identifier === 'string' ? req.body.identifier : '';
    if (!body.success) return renderBluesky(res, { errors: fieldErrors(body.error, BLUESKY_LABELS), values: { identifier }, status: 400 });
    const session = await adapter.createSession({ identifier: body.data.identifier.replace(/^@/, ''), appPassword: body.data.appPassword });
    if (session.kind !== 'ok') return renderBluesky(res, { errors: { appPassword: `Bluesky: ${session.message}` }, values: { identifier }, status: 400 });
    await finish(req, res, { platform: 'bluesky', penNameId: req.penName!.id, identity: session.value.identity, tokens: session.value.tokens });
  });

  router.get('/choose', async (req, res) => {
    const choice = req.session.connectChoice;
    if (!choice) return renderNotFound(res, 'connection waiting for a choice');
    await renderPage(res, 'connect/choose', { title: `Connect ${PLATFORM_NAMES[choice.platform]}`, platformName: PLATFORM_NAMES[choice.platform], targets: choice.targets });
  });

  router.post('/choose', async (req, res) => {
    const choice = req.session.connectChoice;
    if (!choice || Date.now() - choice.createdAt > STATE_LIFETIME_MS) {
      delete req.session.connectChoice;
      return renderPage(res, 'error', { title: 'Expired', heading: 'This choice has expired', message: 'Start the connection again from the Connections page.' }, 400);
    }
    const body = choiceBody.safeParse(req.body ?? {});
    if (!body.success) {
      return renderPage(res, 'connect/choose', { title: `Connect ${PLATFORM_NAMES[choice.platform]}`, platformName: PLATFORM_NAMES[choice.platform], targets: choice.targets, errors: { target: 'Choose at least one account to connect.' } }, 400);
    }
    delete req.session.connectChoice;
    const opened = openChoice(deps.config.tokenEncryptionKey, choice);
    const penName = await penNameOf(deps.models, req.user!.id, choice.penNameId);
    if (!penName) return renderNotFound(res, 'pen name');
    const messages: string[] = [];
    let allAccepted = true;
    for (const target of opened.targets.filter((t) => body.data.target.includes(t.externalId))) {
      const { tokens, kind: _kind, ...identity } = target;
      const finished = await finishConnection(finishDeps, {
        ownerId: req.user!.id,
        penNameId: penName.id,
        penName: penName.name,
        platform: choice.platform,
        identity,
        tokens: tokens ?? opened.tokens,
      }, readerOf(req));
      messages.push(finished.message);
      allAccepted &&= finished.ok && finished.accepted;
    }
    flash(req, allAccepted && messages.length > 0 ? 'info' : 'error', messages.join(' ') || 'Nothing was connected.');
    res.redirect(303, '/connections');
  });

  router.get('/:platform', async (req, res) => {
    const params = platformParam.safeParse(req.params);
    const adapter = params.success ? deps.adapters[params.data.platform] : undefined;
    // App-password platforms (Bluesky) have their own form route above.
    if (!params.success || !adapter || adapter.connect !== 'oauth') return renderNotFound(res, 'platform to connect');
    const platform = params.data.platform;
    if (await refuseWithoutRoom(req, res, platform)) return;
    const pkce = createPkce();
    const state = newState();
    req.session.connectAuthorization = { platform, state, codeVerifier: pkce.verifier, penNameId: req.penName!.id, createdAt: Date.now() };
    res.redirect(303, adapter.authorizationUrl({ state, redirectUri: redirectUri(platform), codeChallenge: pkce.challenge }));
  });

  router.get('/:platform/callback', async (req, res) => {
    const params = platformParam.safeParse(req.params);
    const adapter = params.success ? deps.adapters[params.data.platform] : undefined;
    if (!params.success || !adapter || adapter.connect !== 'oauth') return renderNotFound(res, 'platform to connect');
    const platform = params.data.platform;
    const name = PLATFORM_NAMES[platform];
    const check = takeAuthorization(req.session, platform, req.query.state);
    if (!check.ok) {
      return renderPage(
        res,
        'connect/refused',
        { title: 'Connection refused', heading: `The ${name} connection was refused`, message: STATE_PROBLEMS[check.problem], platform },
        400,
      );
    }
    const denial = platformDenial(req.query);
    if (denial) {
      flash(req, 'error', `${name} was not connected: ${name} answered "${denial}".`);
      res.redirect(303, '/connections');
      return;
    }
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    if (!code) {
      flash(req, 'error', `${name} was not connected: ${name} sent no authorization code. Try again.`);
      res.redirect(303, '/connections');
      return;
    }
    const exchanged = await adapter.exchangeCode({ code, redirectUri: redirectUri(platform), codeVerifier: check.pending.codeVerifier });
    if (exchanged.kind !== 'ok') return failed(req, res, platform, exchanged);
    const identity = await adapter.identity(exchanged.value);
    if (identity.kind !== 'ok') return failed(req, res, platform, identity);
    if (adapter.hasTargetChoice && adapter.listTargets) {
      const targets = await adapter.listTargets(exchanged.value, identity.value);
      if (targets.kind !== 'ok') return failed(req, res, platform, targets);
      if (targets.value.length === 0) {
        flash(req, 'error', `${name} was not connected: this login has nothing Tether can post to (no ${targetWord(platform)} found).`);
        res.redirect(303, '/connections');
        return;
      }
      req.session.connectChoice = sealChoice(deps.config.tokenEncryptionKey, { platform, penNameId: check.pending.penNameId, targets: targets.value, tokens: exchanged.value });
      res.redirect(303, '/connect/choose');
      return;
    }
    await finish(req, res, { platform, penNameId: check.pending.penNameId, identity: identity.value, tokens: exchanged.value });
  });

  return router;
}

/** The platform's own words when the person declined (or the platform refused) on its consent page. */
function platformDenial(query: Request['query']): string | undefined {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim().slice(0, 300) : undefined);
  const error = text(query.error);
  if (!error) return undefined;
  const description = text(query.error_description);
  const reason = text(query.error_reason);
  return [description, reason ?? error].filter(Boolean).join(' — ');
}

function targetWord(platform: PlatformId): string {
  switch (platform) {
    case 'facebook':
      return 'Pages you can post to';
    case 'instagram':
      return 'Instagram business accounts linked to your Pages';
    case 'youtube':
      return 'YouTube channel';
    default:
      return 'profiles or organizations';
  }
}
