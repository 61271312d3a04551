import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { PlatformId } from '../../../platforms/types.js';
import { waitFor, connectThroughSandbox, type Owner } from '../../helpers/lifecycle.js';
import { viewPost } from '../platforms/contract-harness.js';
import { fixturePath } from '../platforms/media-fixtures.js';
import { csrfToken, registerPayingUser, type Agent, useLiveWeb } from './support.js';

// Media on the compose page, on real servers: files are inspected and checked against every chosen
// platform before anything is stored; a URL is fetched once behind the SSRF guard; stored files are
// served at signed, expiring addresses under PUBLIC_URL, which is where Threads fetches them from.

describe('web: composing with images and video', () => {
  const web = useLiveWeb({ listen: true });

  const connect = async (owner: Owner, platform: PlatformId) => {
    const handle = `media_${randomUUID().slice(0, 6)}`;
    const connected = await connectThroughSandbox({ config: web.config, db: web.db, client: web.temporal.client, sandboxUrl: web.sandbox.url, owner, platform, handle });
    return { ...connected, handle };
  };

  const compose = async (agent: Agent, fields: [string, string][], files: [string, string][] = []) => {
    let request = agent.post('/posts').field('_csrf', await csrfToken(agent, '/posts/new'));
    const all: [string, string][] = [...fields, ['when', 'now'], ['timeZone', 'UTC']];
    for (const [name, value] of all) request = request.field(name, value);
    for (const [name, file] of files) request = request.attach(name, fixturePath(file));
    return request;
  };

  it('publishes two images with their alt text to X and Threads, and serves the stored files only at their signed addresses', { timeout: 90_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const x = await connect(owner, 'x');
    const threads = await connect(owner, 'threads');
    const text = `Two pictures ${Date.now()}`;
    const sent = await compose(
      user.agent,
      [['text', text], ['accountIds', x.accountId], ['accountIds', threads.accountId], ['alt-0', 'A Mandelbrot set in blue'], ['alt-1', 'A wide landscape strip']],
      [['media-0', 'mandelbrot.jpg'], ['media-1', 'wide.jpg']],
    );
    expect(sent.status, sent.text).toBe(303);
    const post = (await web.db.models.Post.findOne({ ownerId: user.id, text }).lean())!;
    expect(post.media?.map((m) => [m.kind, m.alt])).toEqual([
      ['image', 'A Mandelbrot set in blue'],
      ['image', 'A wide landscape strip'],
    ]);

    for (const platform of ['x', 'threads'] as const) {
      const published = await waitFor(`the ${platform} post`, async () => (await web.sandbox.control.posts({ platform })).find((p) => p.text === text), 45_000);
      const page = await viewPost(published.url);
      expect(page.images.map((image) => image.alt)).toEqual(['A Mandelbrot set in blue', 'A wide landscape strip']);
      const first = await fetch(new URL(page.images[0]!.src, web.sandbox.url));
      expect(Buffer.from(await first.arrayBuffer()).equals(await readFile(fixturePath('mandelbrot.jpg')))).toBe(true);
    }

    const detail = await user.agent.get(sent.headers.location!).expect(200);
    const stored = [...detail.text.matchAll(/<img src="([^"]+)" alt="([^"]*)" data-testid="stored-image">/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(stored).toHaveLength(2);
    expect(stored[0]!.startsWith(`${web.url}/media/`)).toBe(true);
    const served = await fetch(stored[0]!);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const part = await fetch(stored[0]!, { headers: { range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toHaveLength(10);
    // One changed character of the signature, or of the id, and the file is not there.
    const forged = stored[0]!.replace(/\/media\/(\d+)\/(.)/, (_m, expires: string, first: string) => `/media/${expires}/${first === 'A' ? 'B' : 'A'}`);
    expect((await fetch(forged)).status).toBe(404);
    const expired = stored[0]!.replace(/\/media\/\d+\//, '/media/1000000000/');
    expect((await fetch(expired)).status).toBe(404);
  });

  it('refuses media a chosen platform does not take, naming the platform and the rule, and stores nothing', { timeout: 60_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const x = await connect(owner, 'x');
    const linkedin = await connect(owner, 'linkedin');
    const before = await web.db.models.Media.countDocuments();
    const refused = await compose(
      user.agent,
      [['text', `A video and a picture ${Date.now()}`], ['accountIds', x.accountId], ['accountIds', linkedin.accountId]],
      [['media-0', 'sample-video.mp4'], ['media-1', 'bars.png']],
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(`X (@${x.handle}): X does not take images and a video in the same post`);
    expect(refused.text).toContain(`LinkedIn (@${linkedin.handle}): LinkedIn does not take images and a video in the same post`);
    expect(refused.text).toContain('Files are not kept when the form comes back with a problem');
    expect(await web.db.models.Media.countDocuments()).toBe(before);
    expect(await web.db.models.Post.countDocuments({ ownerId: user.id })).toBe(0);

    const notMedia = await compose(user.agent, [['text', 'A text file'], ['accountIds', x.accountId]], [['media-0', '../../../package.json']]);
    expect(notMedia.status).toBe(400);
    expect(notMedia.text).toContain('Media: File 1 (package.json) is not an image or video Tether can publish');
  });

  it('fetches a file at an https address once, behind the SSRF guard, and stores its bytes', { timeout: 60_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const x = await connect(owner, 'x');
    const field = (url: string): [string, string][] => [['text', `From an address ${Date.now()}`], ['accountIds', x.accountId], ['mediaUrl', url], ['mediaUrlAlt', 'Bars of colour']];

    const plain = await compose(user.agent, field('http://example.com/a.png'));
    expect(plain.status).toBe(400);
    expect(plain.text).toContain('Media URL: Tether could not take the file at this address: the address does not use https');
    const loopback = await compose(user.agent, field('https://127.0.0.1:9/a.png'));
    expect(loopback.text).toContain('the address is a loopback address');
    const privateNet = await compose(user.agent, field('https://10.1.2.3/a.png'));
    expect(privateNet.text).toContain('the address is a private address');
    const local = await compose(user.agent, field('https://intranet.local/a.png'));
    expect(local.text).toContain('the address is a local host name');
    expect(await web.db.models.Post.countDocuments({ ownerId: user.id })).toBe(0);

    // The sandbox's stand-in web server is the one address sandbox mode trusts.
    const hosted = await web.sandbox.control.host(await readFile(fixturePath('bars.png')));
    const fetched = await compose(user.agent, field(hosted));
    expect(fetched.status, fetched.text).toBe(303);
    const post = (await web.db.models.Post.findOne({ ownerId: user.id }).lean())!;
    const media = (await web.db.models.Media.findById(post.media![0]!.mediaId).lean())!;
    expect(media).toMatchObject({ source: 'url', mimeType: 'image/png', width: 800, height: 600 });
    expect(post.media![0]!.alt).toBe('Bars of colour');
  });
});
