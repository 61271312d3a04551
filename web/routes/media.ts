import { Router } from 'express';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../../config/index.js';
import { mediaFiles } from '../../db/media.js';
import type { Models } from '../../db/models/index.js';
import { signedMediaOpener } from '../../services/media/signed-files.js';

// `GET /media/<expires>/<signature>/<id>.<ext>`: a stored file for the platforms that fetch media
// (Instagram, Threads, Facebook, Pinterest, TikTok) and for the owner's post page. Only a valid,
// unexpired signature opens a file; anything else is the same 404, so addresses cannot be probed.
// Byte ranges are served (video players and some crawlers ask for them).

export function mediaFilesRouter(deps: { config: Config; models: Models; clock?: () => Date }): Router {
  const router = Router();
  const open = signedMediaOpener(deps);
  const files = mediaFiles(deps.models);
  const clock = deps.clock ?? (() => new Date());

  router.get('/:expires/:signature/:file', async (req, res) => {
    const media = await open(req.params, clock());
    if (!media) {
      res.status(404).type('text').send('Not found');
      return;
    }
    res.set({
      'content-type': media.mimeType,
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=300',
      'content-disposition': 'inline',
    });
    const ranges = req.range(media.bytes, { combine: true });
    if (ranges === -1) {
      res.status(416).set('content-range', `bytes */${media.bytes}`).end();
      return;
    }
    // One range is served as asked; several, or a malformed header, get the whole file.
    const range = Array.isArray(ranges) && ranges.length === 1 ? ranges[0]! : undefined;
    const start = range?.start ?? 0;
    const end = range ? range.end + 1 : media.bytes;
    res.status(range ? 206 : 200).set('content-length', String(end - start));
    if (range) res.set('content-range', `bytes ${start}-${end - 1}/${media.bytes}`);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // A client that goes away mid-file ends the stream; nothing is left to answer.
    await pipeline(files.stream(media, { start, end }), res).catch(() => undefined);
  });
  return router;
}
