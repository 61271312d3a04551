import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { findConnectedAccount } from '../../db/accounts.js';
import { createCredentialStore } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { PostTarget } from '../../db/models/post-target.js';
import type { Post } from '../../db/models/post.js';
import { findOwnPost } from '../../db/posts.js';
import { setTimeZone } from '../../db/users.js';
import { storeIncoming } from '../../services/media/intake.js';
import { mediaPreviews, storedMediaInfo } from '../../services/media/publishable.js';
import { mediaUrlSignerFor } from '../../services/media/signed-url.js';
import { submitPost } from '../../services/posts/queue.js';
import { requireUser } from '../auth/guards.js';
import type { AccountPagesDeps } from '../deps.js';
import { scopeOf } from '../pen-names/context.js';
import { readerOf } from '../reader.js';
import { fieldErrors, flash, renderInvalid, renderNotFound, renderPage, type FieldErrors } from '../respond.js';
import { applyEdit, cancelPost, describeAnswers, retryPostTarget } from './actions.js';
import { checkTargets, composeAccounts, postableAccounts } from './compose.js';
import { formValuesOf, listQuery, parseComposeForm, parseEditForm, STATUS_FILTERS, type FormValues } from './form.js';
import { mediaInfos, readMediaInput } from './media-input.js';
import { MEDIA_SLOTS } from './uploads.js';
import { loadPostDetail, loadPostsPage, POSTS_SHOWN } from './page-model.js';
import { retryFailedOfAccount, retryFailedOfPost, retryOffers } from './retry.js';
import { formatIn, localInputValue, preferredZone, suggestedTime, timeZonesWith } from './time.js';

// The Posts section: the list (with a status filter), compose, a post's detail, and its actions
// (edit, cancel, retry a failed target). Another user's or pen name's post is unknown here: 404.

export type PostsDeps = AccountPagesDeps & { clock?: () => Date };

const postParams = z.object({ id: z.uuid() });
const retryParams = z.object({ id: z.uuid(), accountId: z.string().min(1).max(100) });

type PostDetail = Awaited<ReturnType<typeof loadPostDetail>>;

export function postsRouter(deps: PostsDeps): Router {
  const router = Router();
  const { models, adapters } = deps;
  const store = createCredentialStore(models, deps.config.tokenEncryptionKey);
  const clock = deps.clock ?? (() => new Date());
  const actionDeps = { models, workflows: deps.workflows, clock };
  const signer = mediaUrlSignerFor(deps.config);
  router.use(requireUser);

  const ownPost = async (req: Request): Promise<Post | undefined> => {
    const params = postParams.safeParse(req.params);
    return params.success ? findOwnPost(models, scopeOf(req), params.data.id) : undefined;
  };

  router.get('/', async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) {
      return renderInvalid(res, 'error', { errors: fieldErrors(query.error, { status: 'Status' }), locals: { title: 'Bad request', heading: 'Could not filter the posts' } });
    }
    const page = await loadPostsPage(models, scopeOf(req), query.data.status);
    const offers = retryOffers(page);
    await renderPage(res, 'posts/index', { title: 'Posts', ...page, shown: POSTS_SHOWN, status: query.data.status, filters: STATUS_FILTERS, retryPosts: offers.posts, retryAccounts: offers.accounts });
  });

  router.post('/retry-account/:id', async (req, res) => {
    const params = z.object({ id: z.string().min(1).max(100) }).safeParse(req.params);
    const account = params.success ? await findConnectedAccount(models, scopeOf(req), params.data.id) : undefined;
    if (!account) return renderNotFound(res, 'connected account');
    const outcome = await retryFailedOfAccount(actionDeps, scopeOf(req), account);
    flash(req, outcome.ok ? 'info' : 'error', outcome.message);
    res.redirect(303, '/posts');
  });

  router.post('/:id/retry', async (req, res) => {
    const post = await ownPost(req);
    if (!post) return renderNotFound(res, 'post');
    const outcome = await retryFailedOfPost(actionDeps, scopeOf(req), post);
    flash(req, outcome.ok ? 'info' : 'error', outcome.message);
    res.redirect(303, '/posts');
  });

  const renderCompose = async (req: Request, res: Response, accounts: Account[], input: { values: FormValues; errors?: FieldErrors; status?: number }) => {
    await renderPage(
      res,
      'posts/form',
      {
        title: 'New post',
        mode: 'new',
        action: '/posts',
        accounts: await composeAccounts(accounts, adapters, store, readerOf(req, clock().getTime())),
        mediaSlots: MEDIA_SLOTS,
        timeZones: timeZonesWith(input.values.timeZone),
        values: input.values,
        errors: input.errors ?? {},
      },
      input.status,
    );
  };

  router.get('/new', async (req, res) => {
    const accounts = await postableAccounts(models, scopeOf(req));
    const zone = preferredZone(req.user!.timeZone);
    await renderCompose(req, res, accounts, {
      values: { text: '', alts: [], mediaUrl: '', mediaUrlAlt: '', accountIds: [], boards: {}, when: 'later', publishAt: suggestedTime(clock(), zone), timeZone: zone },
    });
  });

  router.post('/', async (req, res) => {
    const now = clock();
    const scope = scopeOf(req);
    const accounts = await postableAccounts(models, scope);
    const values = formValuesOf(req.body ?? {});
    const parsed = parseComposeForm(req.body, now);
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    const chosenIds = parsed.ok ? parsed.value.accountIds : values.accountIds;
    const chosen = accounts.filter((account) => chosenIds.includes(account._id));
    if (parsed.ok && chosen.length !== chosenIds.length) {
      errors.accountIds = 'Accounts: one of the chosen accounts is no longer connected to this pen name; choose again.';
    }
    const media = await readMediaInput(req, res, deps.config);
    try {
      Object.assign(errors, media.errors);
      // Each account's own rules, whenever the text and the media themselves were readable.
      if (!errors.text && Object.keys(media.errors).length === 0) {
        const content = { text: parsed.ok ? parsed.value.text : values.text, media: mediaInfos(media.media, deps.config.web.publicUrl) };
        const boards = parsed.ok ? parsed.value.boards : values.boards;
        const choices = (parsed.ok ? parsed.value.choices : values.choices) ?? {};
        Object.assign(errors, checkTargets(adapters, content, chosen.map((account) => ({ account, boardId: boards[account._id]?.trim() || undefined, choices: choices[account._id] }))));
      }
      if (!parsed.ok || Object.keys(errors).length > 0) return await renderCompose(req, res, accounts, { values, errors, status: 400 });

      const input = parsed.value;
      const stored = await storeIncoming(models, scope, media.media, now);
      const { post, answers } = await submitPost(
        deps.workflows,
        models,
        {
          ownerId: scope.ownerId,
          penNameId: scope.penNameId,
          kind: 'scheduled',
          text: input.text,
          ...(stored.length > 0 ? { media: stored } : {}),
          timeZone: input.timeZone,
          publishAt: input.publishAt,
          targets: chosen.map((account) => ({
            accountId: account._id,
            platform: account.platform,
            handle: account.handle,
            ...(input.boards[account._id] ? { boardId: input.boards[account._id] } : {}),
            ...(input.choices[account._id] ? { choices: input.choices[account._id] } : {}),
          })),
        },
        now,
      );
      await setTimeZone(models, scope.ownerId, input.timeZone);
      const described = describeAnswers(post, answers, now);
      const when = input.publishNow ? 'Publishing now.' : `Scheduled for ${formatIn(input.publishAt, input.timeZone)}.`;
      flash(req, described.ok ? 'info' : 'error', `${when} ${described.message}`);
      res.redirect(303, `/posts/${post._id}`);
    } finally {
      await media.cleanup();
    }
  });

  router.get('/:id', async (req, res) => {
    const post = await ownPost(req);
    if (!post) return renderNotFound(res, 'post');
    const { view } = await loadPostDetail(models, scopeOf(req), post);
    await renderPage(res, 'posts/show', { title: 'Post', post: view, media: await mediaPreviews(models, signer, post.media, clock()) });
  });

  /** Why the post cannot be edited now, or undefined when it can. */
  const editRefusal = (targets: PostTarget[]): string | undefined => {
    if (targets.some((target) => target.state === 'publishing')) return 'This post is being published right now; edit it once that is done.';
    if (!targets.some((target) => target.state === 'scheduled')) return 'Nothing left to edit: no target of this post is still waiting to be published.';
    return undefined;
  };

  /** The post to edit with its detail; undefined once the answer is sent (404, or back to the post when it cannot be edited now). */
  const editablePost = async (req: Request, res: Response): Promise<{ post: Post; detail: PostDetail } | undefined> => {
    const post = await ownPost(req);
    if (!post) {
      await renderNotFound(res, 'post');
      return undefined;
    }
    const detail = await loadPostDetail(models, scopeOf(req), post);
    const refusal = editRefusal(detail.targets);
    if (refusal) {
      flash(req, 'error', refusal);
      res.redirect(303, `/posts/${post._id}`);
      return undefined;
    }
    return { post, detail };
  };

  const renderEdit = async (res: Response, post: Post, detail: PostDetail, input: { values: FormValues; errors?: FieldErrors; status?: number }) => {
    await renderPage(
      res,
      'posts/form',
      { title: 'Edit post', mode: 'edit', action: `/posts/${post._id}/edit`, post: detail.view, timeZones: timeZonesWith(input.values.timeZone), values: input.values, errors: input.errors ?? {} },
      input.status,
    );
  };

  router.get('/:id/edit', async (req, res) => {
    const editable = await editablePost(req, res);
    if (!editable) return;
    const { post, detail } = editable;
    const values: FormValues = {
      text: post.text,
      alts: [],
      mediaUrl: '',
      mediaUrlAlt: '',
      accountIds: [],
      boards: {},
      when: 'later',
      publishAt: localInputValue(post.publishAt, post.timeZone),
      timeZone: post.timeZone,
    };
    await renderEdit(res, post, detail, { values });
  });

  router.post('/:id/edit', async (req, res) => {
    const editable = await editablePost(req, res);
    if (!editable) return;
    const { post, detail } = editable;
    const values = formValuesOf(req.body ?? {});
    const parsed = parseEditForm(req.body, clock());
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    if (!errors.text) {
      const content = { text: parsed.ok ? parsed.value.text : values.text, media: await storedMediaInfo(models, post.media, deps.config.web.publicUrl) };
      const waiting = detail.targets.filter((target) => target.state === 'scheduled');
      const checks = waiting.flatMap((target) => {
        const account = detail.accounts.get(target.accountId);
        return account ? [{ account, ...(target.boardId ? { boardId: target.boardId } : {}), ...(target.choices ? { choices: target.choices } : {}) }] : [];
      });
      Object.assign(errors, checkTargets(adapters, content, checks));
    }
    if (!parsed.ok || Object.keys(errors).length > 0) return renderEdit(res, post, detail, { values, errors, status: 400 });

    const { publishNow, ...edit } = parsed.value;
    const outcome = await applyEdit(actionDeps, post, detail.targets, edit);
    await setTimeZone(models, req.user!.id, edit.timeZone);
    const when = outcome.refused ? '' : publishNow ? ' Publishing now.' : ` Now scheduled for ${formatIn(edit.publishAt, edit.timeZone)}.`;
    flash(req, outcome.ok ? 'info' : 'error', `${outcome.message}${when}`);
    res.redirect(303, `/posts/${post._id}`);
  });

  router.post('/:id/cancel', async (req, res) => {
    const post = await ownPost(req);
    if (!post) return renderNotFound(res, 'post');
    const { targets } = await loadPostDetail(models, scopeOf(req), post);
    const outcome = await cancelPost(actionDeps, post, targets);
    flash(req, outcome.ok ? 'info' : 'error', outcome.message);
    res.redirect(303, `/posts/${post._id}`);
  });

  router.post('/:id/targets/:accountId/retry', async (req, res) => {
    const params = retryParams.safeParse(req.params);
    const post = params.success ? await findOwnPost(models, scopeOf(req), params.data.id) : undefined;
    if (!params.success || !post) return renderNotFound(res, 'post');
    const { targets, view } = await loadPostDetail(models, scopeOf(req), post);
    const target = targets.find((candidate) => candidate.accountId === params.data.accountId);
    if (!target) return renderNotFound(res, 'target of this post');
    const shown = view.targets.find((candidate) => candidate.accountId === target.accountId);
    let outcome;
    if (target.state !== 'failed') outcome = { ok: false, message: `${shown?.label ?? 'This target'}: only a failed target can be retried; it is ${shown?.statusLabel.toLowerCase() ?? target.state}.` };
    else if (!shown?.canRetry) outcome = { ok: false, message: `${shown?.label ?? 'This account'} is disconnected; connect it again, then write a new post.` };
    else outcome = await retryPostTarget(actionDeps, post, target);
    flash(req, outcome.ok ? 'info' : 'error', outcome.message);
    res.redirect(303, `/posts/${post._id}`);
  });

  return router;
}
