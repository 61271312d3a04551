import type { Request, Response } from 'express';
import type { Account } from '../../db/models/account.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { refusalText } from '../../services/account-workflows/refusal.js';
import { sampleInfo, sendTestPost, testPostSample } from '../../services/accounts/test-post.js';
import { phraseCallFailure } from '../../services/phrasing/index.js';
import type { AccountPagesDeps } from '../deps.js';
import { checkTargets, choiceOf } from '../posts/compose.js';
import { choicesOf } from '../posts/form.js';
import { readerOf } from '../reader.js';
import { renderPage } from '../respond.js';
import { createCredentialStore } from '../../db/credentials.js';

// "Send test post": a short post published right away through the account's workflow, so a user
// can see that a new connection really publishes. The outcome is shown on its own page. Where the
// platform needs media the post carries a bundled sample; where it needs choices (TikTok's privacy
// level and music consent, YouTube's privacy), a form asks for them first.

export function testPostText(account: Pick<Account, 'handle'>, now: Date): string {
  return `Testing Tether with ${displayHandle(account.handle)} — ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** POST /connections/:id/test-post for an account the user owns. */
export function sendTestPostRoute(deps: AccountPagesDeps) {
  return async (req: Request, res: Response, account: Account): Promise<void> => {
    const now = new Date();
    const text = testPostText(account, now);
    const platformName = PLATFORM_NAMES[account.platform];
    const adapter = deps.adapters[account.platform];
    const sample = adapter ? testPostSample(adapter.postRules({ premium: account.premium }).media) : undefined;
    const asks = Boolean(adapter?.postChoices);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const choices = choicesOf(body, [account._id])[account._id];
    const askFor = async (errors: Record<string, string> = {}, status = 200) => {
      const choice = adapter?.postChoices ? await choiceOf(account, adapter, createCredentialStore(deps.models, deps.config.tokenEncryptionKey)) : undefined;
      const locals = { title: 'Test post', account: { id: account._id, handle: account.handle }, platformName, text, sample, choice, values: { choices }, errors };
      await renderPage(res, 'connections/test-post-choices', locals, status);
    };
    // The pill's button asks first; the form answers with `withChoices`.
    if (asks && body.withChoices !== 'yes') return askFor();
    const media = sample ? [await sampleInfo(sample, deps.config.web.publicUrl)] : [];
    const errors = checkTargets(deps.adapters, { text, media }, [{ account, ...(choices ? { choices } : {}) }]);
    if (asks && Object.keys(errors).length > 0) return askFor(errors, 400);
    const show = (result: { url: string } | { problem: string }) =>
      renderPage(res, 'connections/test-post', { title: 'Test post', account: { id: account._id, handle: account.handle }, platformName, text, result });
    const problems = Object.values(errors);
    if (problems.length > 0) return show({ problem: `The test post cannot be sent: ${problems.join('; ')}` });
    const outcome = await sendTestPost(deps, account, text, now, { ...(sample ? { sample } : {}), ...(choices ? { choices } : {}) });
    switch (outcome.outcome) {
      case 'published':
        return show({ url: outcome.url });
      case 'failed':
        return show({ problem: phraseCallFailure(outcome.reason, { ...readerOf(req, now.getTime()), platform: account.platform }) });
      case 'refused':
        return show({ problem: refusalText(outcome.refusal) });
    }
  };
}
