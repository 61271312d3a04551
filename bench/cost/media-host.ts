import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../../config/index.js';
import { mediaFiles } from '../../db/media.js';
import type { Models } from '../../db/models/index.js';
import { signedMediaOpener } from '../../services/media/signed-files.js';
import type { Cleanup } from '../shared/cleanup.js';

// Tether's signed media addresses (`<PUBLIC_URL>/media/...`), served for the platforms that fetch a
// post's media themselves (Instagram, Pinterest): the dashboard serves them in production; the cost
// benchmark runs no dashboard, so it answers them here, through the same signature check and stored file.

const MEDIA_PATH = /^\/media\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** Listens on a free local port: its `url` is the run's PUBLIC_URL; it answers once `serve` has the run's config and models. */
export async function startMediaHost(cleanup: Cleanup): Promise<{ url: string; serve(deps: { config: Config; models: Models }): void }> {
  let open: ReturnType<typeof signedMediaOpener> | undefined;
  let files: ReturnType<typeof mediaFiles> | undefined;
  const server = createServer((req, res) => {
    const [, expires, signature, file] = MEDIA_PATH.exec(req.url ?? '') ?? [];
    const found = open && expires && signature && file ? open({ expires, signature, file }, new Date()) : Promise.resolve(undefined);
    found
      .then(async (media) => {
        if (!media || !files || req.method !== 'GET') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
          return;
        }
        res.writeHead(200, { 'content-type': media.mimeType, 'content-length': String(media.bytes) });
        await pipeline(files.stream(media), res);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add('media host', () => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(deps) {
      open = signedMediaOpener(deps);
      files = mediaFiles(deps.models);
    },
  };
}
