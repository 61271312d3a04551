import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { createCredentialStore } from '../../../db/credentials.js';
import type { PlatformId } from '../../../platforms/types.js';
import { completeConnection } from '../../../services/accounts/complete-connection.js';
import { connectThroughSandbox, sandboxAdapters, type Owner } from '../../helpers/lifecycle.js';
import { fixturePath } from '../platforms/media-fixtures.js';
import { expectCleanPage, flashMessage, nextPage, reloadUntil, screenshotsIn, signUpInBrowser, useBrowserPage, visibleText, watchPage } from './support.js';

// A writer in a real browser posts media: one post with two images (each with its alt text) to X,
// Bluesky, LinkedIn, Threads and Pinterest, and one video post to TikTok and YouTube, both
// published at once. Each platform's public post page (the sandbox's) shows the media, loaded.

const IMAGES_TEXT = 'Low tide at the harbour: two views from the pier.';
const VIDEO_TEXT = 'Four seconds of test pattern\nA short video for the record.';
const ALTS = ['A Mandelbrot set in deep blue', 'A wide strip of landscape at dusk'];
const IMAGE_PLATFORMS: PlatformId[] = ['x', 'bluesky', 'linkedin', 'threads', 'pinterest'];
const VIDEO_PLATFORMS: PlatformId[] = ['tiktok', 'youtube'];

describe('browser: posts with images and a video', () => {
  const screenshot = screenshotsIn('compose-media');
  const session = useBrowserPage();

  const go = (click: () => Promise<void>) => nextPage(session.page, click);

  /** Sign up and log in in the browser; a plan with room for seven accounts is set directly. */
  const signUp = async (): Promise<Owner> => {
    const { dashboard, page } = session;
    const email = `mira-${Date.now()}@example.com`;
    await signUpInBrowser(page, dashboard, { name: 'Mira Media', email, password: 'correct horse battery', penName: 'Harbour Pictures' });
    const user = (await dashboard.db.models.User.findOne({ email }).lean())!;
    await dashboard.db.models.User.updateOne({ _id: user._id }, { $set: { plan: 'growth' } });
    const penName = (await dashboard.db.models.PenName.findOne({ ownerId: String(user._id) }).lean())!;
    return { ownerId: String(user._id), penNameId: String(penName._id), penName: penName.name };
  };

  /** Connects each platform as the dashboard would (OAuth consent in the sandbox; Bluesky with an app password). Answers the account ids. */
  const connectAll = async (owner: Owner): Promise<Record<string, string>> => {
    const { dashboard } = session;
    const { config, db, sandbox, temporal } = dashboard;
    const identities: Partial<Record<PlatformId, string>> = { tiktok: 'alice.tok', youtube: 'alice', pinterest: 'alicepins' };
    const ids: Record<string, string> = {};
    for (const platform of [...IMAGE_PLATFORMS, ...VIDEO_PLATFORMS]) {
      if (platform === 'bluesky') {
        const created = await sandbox.control.createBlueskyAccount({ handle: `mira${Date.now()}.bsky.social`, displayName: 'Mira Media' });
        const session = await sandboxAdapters(config, sandbox.url).bluesky!.createSession!({ identifier: created.handle, appPassword: created.appPassword });
        if (session.kind !== 'ok') throw new Error(`Bluesky session: ${JSON.stringify(session)}`);
        const store = createCredentialStore(db.models, config.tokenEncryptionKey);
        const completed = await completeConnection(
          { models: db.models, store, workflows: { client: temporal.client, taskQueue: config.temporal.taskQueue } },
          { ...owner, platform, identity: session.value.identity, tokens: session.value.tokens },
        );
        ids[platform] = completed.accountId;
        continue;
      }
      const identity = identities[platform];
      const connected = await connectThroughSandbox({ config, db, client: temporal.client, sandboxUrl: sandbox.url, owner, platform, ...(identity ? { identity } : { handle: `mira_${platform}_${Date.now() % 100_000}` }) });
      ids[platform] = connected.accountId;
    }
    return ids;
  };

  /** Publishes the form now and waits on the post's page until every chosen account has published it; answers the post links. */
  const publishNow = async (accountIds: string[], name: string): Promise<string[]> => {
    const { page } = session;
    await page.getByRole('radio', { name: 'Publish now' }).check();
    await screenshot(page, `${name}-compose`);
    const detail = await go(() => page.getByRole('button', { name: 'Publish now' }).click());
    expect(detail.pathname, await visibleText(page.locator('main'))).toMatch(/^\/posts\/[0-9a-f-]{36}$/);
    expect((await flashMessage(page)).text).toMatch(/^Publishing now\. /);
    const chips = accountIds.map((id) => page.locator(`li.chip[data-account="${id}"]`));
    await reloadUntil(page, `${name} to be published everywhere`, async () => {
      const states = await Promise.all(chips.map((chip) => chip.getAttribute('data-status')));
      if (states.includes('failed')) throw new Error(`a target failed: ${await visibleText(page.locator('main'))}`);
      return states.every((state) => state === 'published');
    }, { timeoutMs: 90_000 });
    await screenshot(page, `${name}-published`);
    return Promise.all(chips.map(async (chip) => (await chip.getByRole('link', { name: 'View post' }).getAttribute('href'))!));
  };

  /** Opens a platform's post page in a new tab; answers what it shows, once its media have loaded. */
  const openPost = async (url: string, name: string) => {
    const tab = await session.page.context().newPage();
    const problems = watchPage(tab).problems;
    await tab.goto(url);
    // Browser-side code as strings: this project type-checks without the DOM library.
    await tab.waitForFunction(
      `[...document.querySelectorAll('img[data-testid="post-image"]')].every((img) => img.complete && img.naturalWidth > 0) &&
       [...document.querySelectorAll('video[data-testid="post-video"]')].every((video) => video.readyState >= 1)`,
    );
    const shown = await tab.evaluate<{ alts: string[]; widths: number[]; videoSeconds?: number }>(
      `({
        alts: [...document.querySelectorAll('img[data-testid="post-image"]')].map((img) => img.alt),
        widths: [...document.querySelectorAll('img[data-testid="post-image"]')].map((img) => img.naturalWidth),
        videoSeconds: document.querySelector('video[data-testid="post-video"]')?.duration,
      })`,
    );
    await expectCleanPage(tab, problems);
    await screenshot(tab, `post-on-${name}`);
    await tab.close();
    return shown;
  };

  const chooseAccounts = async (page: Page, accountIds: string[]) => {
    for (const id of accountIds) await page.locator(`#account-${id}`).check();
  };

  it('publishes two images with alt text to five platforms and a video to TikTok and YouTube, and each platform shows them', { timeout: 240_000 }, async () => {
    const { dashboard, page } = session;
    onTestFailed(async () => {
      await screenshot(page, 'failure');
    });
    const owner = await signUp();
    const ids = await connectAll(owner);

    // 1. Two images, each with its alt text, to X, Bluesky, LinkedIn, Threads and Pinterest.
    expect((await go(async () => void (await page.goto(`${dashboard.url}/posts/new`)))).pathname).toBe('/posts/new');
    await page.getByRole('textbox', { name: 'Text', exact: true }).fill(IMAGES_TEXT);
    await page.getByLabel('File 1', { exact: true }).setInputFiles(fixturePath('mandelbrot.jpg'));
    await page.getByLabel('Alt text for file 1').fill(ALTS[0]!);
    await page.getByLabel('File 2', { exact: true }).setInputFiles(fixturePath('wide.jpg'));
    await page.getByLabel('Alt text for file 2').fill(ALTS[1]!);
    const imageTargets = IMAGE_PLATFORMS.map((platform) => ids[platform]!);
    await chooseAccounts(page, imageTargets);
    await page.locator(`#board-${ids.pinterest}`).selectOption({ index: 1 });
    const imageLinks = await publishNow(imageTargets, '01-images');
    for (const [index, platform] of IMAGE_PLATFORMS.entries()) {
      expect(imageLinks[index]!.startsWith(`${dashboard.sandbox.url}/`), platform).toBe(true);
      const shown = await openPost(imageLinks[index]!, platform);
      expect(shown.widths, platform).toEqual([720, 1200]);
      // Pinterest keeps one alt text per Pin (the first image's).
      expect(shown.alts, platform).toEqual(platform === 'pinterest' ? [ALTS[0], ''] : ALTS);
    }

    // 2. A video to TikTok (Only me, with the music terms agreed) and YouTube (unlisted).
    await page.goto(`${dashboard.url}/posts/new`);
    await page.getByRole('textbox', { name: 'Text', exact: true }).fill(VIDEO_TEXT);
    await page.getByLabel('File 1', { exact: true }).setInputFiles(fixturePath('sample-video.mp4'));
    const videoTargets = VIDEO_PLATFORMS.map((platform) => ids[platform]!);
    await chooseAccounts(page, videoTargets);
    await page.locator(`#privacy-${ids.tiktok}`).selectOption('SELF_ONLY');
    await page.locator(`#consent-${ids.tiktok}`).check();
    await page.locator(`#privacy-${ids.youtube}`).selectOption('unlisted');
    const videoLinks = await publishNow(videoTargets, '02-video');
    for (const [index, platform] of VIDEO_PLATFORMS.entries()) {
      const shown = await openPost(videoLinks[index]!, platform);
      expect(shown.videoSeconds, platform).toBeCloseTo(4, 0);
      expect(shown.widths, platform).toEqual([]);
    }
    const onYouTube = (await dashboard.sandbox.control.posts({ platform: 'youtube' })).at(-1)!;
    // A textarea sends its line breaks as CRLF.
    expect(onYouTube.text.replace(/\r\n/g, '\n')).toBe(VIDEO_TEXT);
  });
});
