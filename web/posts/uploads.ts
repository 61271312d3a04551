import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { formatBytes } from '../../platforms/media-rules.js';
import { MAX_MEDIA_BYTES } from '../../services/media/intake.js';

// The compose form is multipart: its files are written to a temporary directory before the CSRF
// check reads `_csrf` from the parsed body, for signed-in users only, and removed once the answer
// has been sent (whatever it was). A problem with the upload itself (a file over Tether's limit,
// too many files) is kept for the form to show next to the media fields.

/** File fields on the compose form: `media-0` … `media-3`, each with its `alt-N`. */
export const MEDIA_SLOTS = 4;
export const mediaField = (slot: number) => `media-${slot}`;
export const altField = (slot: number) => `alt-${slot}`;

const UPLOAD_DIR = path.join(tmpdir(), 'tether-uploads');

interface UploadLocals {
  uploadProblem?: string;
}

export function composeUploads(): RequestHandler {
  const parse = multer({
    dest: UPLOAD_DIR,
    limits: { fileSize: MAX_MEDIA_BYTES, files: MEDIA_SLOTS, fields: 400, fieldSize: 100 * 1024, parts: 500 },
  }).fields(Array.from({ length: MEDIA_SLOTS }, (_, slot) => ({ name: mediaField(slot), maxCount: 1 })));
  return (req, res, next) => {
    if (req.method !== 'POST' || req.path !== '/' || !req.user || !req.is('multipart/form-data')) return next();
    res.on('close', () => void removeUploads(req));
    parse(req, res, (error: unknown) => {
      if (error) (res.locals as UploadLocals).uploadProblem = describe(error);
      next();
    });
  };
}

/** The files of one slot, as multer wrote them. */
export function uploadedFile(req: Request, slot: number): Express.Multer.File | undefined {
  const files = req.files as Record<string, Express.Multer.File[] | undefined> | undefined;
  const file = files?.[mediaField(slot)]?.[0];
  // An empty file input still sends a part without a name and without bytes.
  return file && file.size > 0 ? file : undefined;
}

export function uploadProblem(res: Response): string | undefined {
  return (res.locals as UploadLocals).uploadProblem;
}

function describe(error: unknown): string {
  const code = error instanceof multer.MulterError ? error.code : undefined;
  if (code === 'LIMIT_FILE_SIZE') return `a file is over Tether's limit of ${formatBytes(MAX_MEDIA_BYTES)}`;
  if (code === 'LIMIT_FILE_COUNT' || code === 'LIMIT_UNEXPECTED_FILE') return `attach at most ${MEDIA_SLOTS} files, one per file field`;
  return 'the upload broke off; attach the files again';
}

async function removeUploads(req: Request): Promise<void> {
  const files = Object.values((req.files ?? {}) as Record<string, Express.Multer.File[]>).flat();
  await Promise.all(files.map((file) => rm(file.path, { force: true })));
}
