// Each adapter publishes images and video the platform's way against the sandbox, over HTTP: the
// post's public page shows the media (with alt text where the platform keeps it), and the
// platform's media errors (wrong format, processing failed, processing still running) come back
// classified.

import { describe, expect, it } from 'vitest';
import type { AccountRef, Credentials, MediaFile, PlatformAdapter, PlatformId, PostInput } from '../../../platforms/types.js';
import { accountOf, adapterFor, connect, credentialsOf, expectOk, useSandbox, viewPost, type ContractContext } from './contract-harness.js';
import { hostedMedia } from './media-fixtures.js';

const POLL = { intervalMs: 20, attempts: 4 };
const context = useSandbox('x', { mediaProcessingPoll: POLL, tiktok: { audited: false, verifiedDomains: [] } });

interface Connected {
  adapter: PlatformAdapter;
  account: AccountRef;
  credentials: Credentials;
  publish(post: Omit<PostInput, 'idempotencyKey'>): ReturnType<PlatformAdapter['publish']>;
}

async function connected(platform: PlatformId, identity?: string): Promise<Connected> {
  const adapter = adapterFor(context, platform);
  let account: AccountRef;
  let credentials: Credentials;
  if (platform === 'bluesky') {
    const created = await context.control.createBlueskyAccount({ handle: `media${Date.now()}.bsky.social`, displayName: 'Media' });
    const session = expectOk(await adapter.createSession!({ identifier: created.handle, appPassword: created.appPassword }));
    account = accountOf(platform, session.identity);
    credentials = credentialsOf(session.tokens);
  } else {
    const { tokens, identity: who } = await connect(context, identity ? { identity } : {}, adapter);
    const target = platform === 'facebook' || platform === 'instagram' ? expectOk(await adapter.listTargets!(tokens, who))[0]! : undefined;
    account = accountOf(platform, target ?? who);
    credentials = credentialsOf(target?.tokens ?? tokens);
  }
  return { adapter, account, credentials, publish: (post) => adapter.publish(account, credentials, { ...post, idempotencyKey: `m-${Math.random()}` }) };
}

const media = (name: string, options?: { alt?: string; bytes?: Buffer }) => hostedMedia(context.control, name, options);
/** Bytes that are no image, described as the JPEG they claim to be. */
const notAnImage = () => media('mandelbrot.jpg', { bytes: Buffer.from('this is not an image at all, just text'.repeat(40)) });
const notAVideo = () => media('sample-video.mp4', { bytes: Buffer.from('this is not a video at all, just text'.repeat(40)) });

async function withProcessing<T>(ctx: ContractContext, platform: PlatformId, mode: 'fail' | 'stall', run: () => Promise<T>): Promise<T> {
  await ctx.control.configure({ mediaProcessing: { [platform]: mode } });
  try {
    return await run();
  } finally {
    await ctx.control.configure({ mediaProcessing: { [platform]: 'finish' } });
  }
}

async function twoImages(): Promise<MediaFile[]> {
  return [await media('mandelbrot.jpg', { alt: 'A Mandelbrot set in blue' }), await media('wide.jpg', { alt: 'A wide landscape strip' })];
}

describe('media against the sandbox, platform by platform', () => {
  it('X: chunked upload with alt text, a processed video, and X refusing a broken file or failing to process', async () => {
    const x = await connected('x');
    const published = expectOk(await x.publish({ text: `Two images ${Date.now()}`, media: await twoImages() }));
    expect((await viewPost(published.url)).images.map((i) => i.alt)).toEqual(['A Mandelbrot set in blue', 'A wide landscape strip']);
    const video = expectOk(await x.publish({ text: `A video ${Date.now()}`, media: [await media('sample-video.mp4')] }));
    expect((await viewPost(video.url)).video).toBeTruthy();

    expect(await x.publish({ text: `Broken ${Date.now()}`, media: [await notAnImage()] })).toMatchObject({ kind: 'invalid' });
    expect(await withProcessing(context, 'x', 'fail', async () => x.publish({ text: `Fails ${Date.now()}`, media: [await media('sample-video.mp4')] }))).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/X could not process the media/),
    });
    expect(await withProcessing(context, 'x', 'stall', async () => x.publish({ text: `Stalls ${Date.now()}`, media: [await media('sample-video.mp4')] }))).toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/still processing/),
    });
  });

  it('LinkedIn: images through initializeUpload + PUT (multiImage with alt text), a video in parts, and its processing failing', async () => {
    const linkedin = await connected('linkedin', 'alice-archer-1');
    const published = expectOk(await linkedin.publish({ text: `Two images ${Date.now()}`, media: await twoImages() }));
    expect((await viewPost(published.url)).images.map((i) => i.alt)).toEqual(['A Mandelbrot set in blue', 'A wide landscape strip']);
    const video = expectOk(await linkedin.publish({ text: `A video ${Date.now()}`, media: [await media('sample-video.mp4')] }));
    expect((await viewPost(video.url)).video).toBeTruthy();
    expect(await linkedin.publish({ text: `Broken ${Date.now()}`, media: [await notAnImage()] })).toMatchObject({ kind: 'invalid' });
    expect(await withProcessing(context, 'linkedin', 'fail', async () => linkedin.publish({ text: `Fails ${Date.now()}`, media: [await media('sample-video.mp4')] }))).toMatchObject({ kind: 'invalid' });
    expect(await withProcessing(context, 'linkedin', 'stall', async () => linkedin.publish({ text: `Stalls ${Date.now()}`, media: [await media('sample-video.mp4')] }))).toMatchObject({ kind: 'transient' });
  });

  it('Bluesky: blobs and an images embed with alt text; a file that is no image is refused', async () => {
    const bluesky = await connected('bluesky');
    const published = expectOk(await bluesky.publish({ text: `Two images ${Date.now()}`, media: await twoImages() }));
    expect((await viewPost(published.url)).images.map((i) => i.alt)).toEqual(['A Mandelbrot set in blue', 'A wide landscape strip']);
    expect(await bluesky.publish({ text: `Broken ${Date.now()}`, media: [await notAnImage()] })).toMatchObject({ kind: 'invalid' });
  });

  it('Threads: a carousel pulled from public addresses, a video container processed, then failing', async () => {
    const threads = await connected('threads', 'alice.threads');
    const published = expectOk(await threads.publish({ text: `Carousel ${Date.now()}`, media: await twoImages() }));
    expect((await viewPost(published.url)).images.map((i) => i.alt)).toEqual(['A Mandelbrot set in blue', 'A wide landscape strip']);
    const video = expectOk(await threads.publish({ text: `Video ${Date.now()}`, media: [await media('sample-video.mp4')] }));
    expect((await viewPost(video.url)).video).toBeTruthy();
    expect(await threads.publish({ text: `Broken ${Date.now()}`, media: [await notAnImage()] })).toMatchObject({ kind: 'invalid' });
    expect(await withProcessing(context, 'threads', 'fail', async () => threads.publish({ text: `Fails ${Date.now()}`, media: [await media('sample-video.mp4')] }))).toMatchObject({ kind: 'invalid' });
  });

  it('Instagram: a carousel and a Reel from containers; a broken file is refused', async () => {
    const instagram = await connected('instagram', 'alice');
    const images = [await media('mandelbrot.jpg'), await media('sample-photo.jpg')];
    const published = expectOk(await instagram.publish({ text: `Carousel ${Date.now()}`, media: images }));
    expect((await viewPost(published.url)).images).toHaveLength(2);
    const reel = expectOk(await instagram.publish({ text: `Reel ${Date.now()}`, media: [await media('sample-video.mp4')] }));
    expect((await viewPost(reel.url)).video).toBeTruthy();
    expect(await instagram.publish({ text: `Broken ${Date.now()}`, media: [await notAnImage()] })).toMatchObject({ kind: 'invalid' });
  });

  it('Facebook: several photos on one Page post, and a video', async () => {
    const facebook = await connected('facebook', 'alice');
    const published = expectOk(await facebook.publish({ text: `Photos ${Date.now()}`, media: [await media('mandelbrot.jpg'), await media('bars.png')] }));
    expect((await viewPost(published.url)).images).toHaveLength(2);
    const video = expectOk(await facebook.publish({ text: `Video ${Date.now()}`, media: [await media('sample-video.mp4')] }));
    expect((await viewPost(video.url)).video).toBeTruthy();
    expect(await facebook.publish({ text: `Broken ${Date.now()}`, media: [await notAnImage()] })).toMatchObject({ kind: 'invalid' });
  });

  it('Pinterest: a carousel Pin with alt text; an image Pinterest cannot read is refused', async () => {
    const pinterest = await connected('pinterest', 'alicepins');
    const board = expectOk(await pinterest.adapter.listBoards!(pinterest.account, pinterest.credentials))[0]!;
    const published = expectOk(await pinterest.publish({ text: `Carousel ${Date.now()}`, media: await twoImages(), boardId: board.id }));
    expect((await viewPost(published.url)).images.map((i) => i.alt)).toEqual(['A Mandelbrot set in blue', '']);
    expect(await pinterest.publish({ text: `Broken ${Date.now()}`, media: [await notAnImage()], boardId: board.id })).toMatchObject({ kind: 'invalid' });
  });

  it('TikTok: a video sent with FILE_UPLOAD, watched through its status until published; a broken file fails the check', async () => {
    const tiktok = await connected('tiktok', 'alice.tok');
    const choices = { privacyLevel: 'SELF_ONLY', musicConsent: true };
    const published = expectOk(await tiktok.publish({ text: `Video ${Date.now()}`, media: [await media('sample-video.mp4')], choices }));
    expect((await viewPost(published.url)).video).toBeTruthy();
    expect(await tiktok.publish({ text: `Broken ${Date.now()}`, media: [await notAVideo()], choices })).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/file_format_check_failed/),
    });
    expect(await withProcessing(context, 'tiktok', 'stall', async () => tiktok.publish({ text: `Stalls ${Date.now()}`, media: [await media('sample-video.mp4')], choices }))).toMatchObject({ kind: 'transient' });
  });

  it('YouTube: a resumable upload with title, description and privacy; a file that is no video fails processing; a video still processing is published', async () => {
    const youtube = await connected('youtube', 'alice');
    const choices = { privacyLevel: 'unlisted' };
    const published = expectOk(await youtube.publish({ text: `My video ${Date.now()}\nWhat it shows`, media: [await media('sample-video.mp4')], choices }));
    expect(published.url).toContain('/www.youtube.com/watch?v=');
    expect((await viewPost(published.url)).video).toBeTruthy();
    expect(await youtube.publish({ text: `Broken ${Date.now()}`, media: [await notAVideo()], choices })).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/YouTube could not process the video \(invalidFile\)/),
    });
    // YouTube answers `uploaded` while it processes: the video exists and its watch page says so.
    const processing = expectOk(
      await withProcessing(context, 'youtube', 'stall', async () => youtube.publish({ text: `Long render ${Date.now()}`, media: [await media('sample-video.mp4')], choices })),
    );
    const page = await viewPost(processing.url);
    expect(page.processing).toMatch(/Processing video/);
    expect(page.video).toBeUndefined();
  });
});
