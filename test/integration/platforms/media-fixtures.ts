// Media files for the contract tests: a fixture from test/fixtures/media, inspected like Tether
// inspects an upload, put on the sandbox's stand-in web server (platforms that fetch media read it
// there), and read back in byte ranges like a file in GridFS.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { MediaFile } from '../../../platforms/types.js';
import type { SandboxClient } from '../../../sandbox/client.js';
import { inspectBuffer } from '../../../services/media/inspect.js';

/** A test fixture, or one of the samples Tether bundles for test posts (`sample-…`). */
export const fixturePath = (name: string) =>
  new URL(name.startsWith('sample-') ? `../../../services/media/samples/${name}` : `../../fixtures/media/${name}`, import.meta.url).pathname;

/** Fixture bytes, or any bytes (a broken file) under a fixture's name. */
export async function hostedMedia(control: SandboxClient, name: string, options: { alt?: string; bytes?: Buffer } = {}): Promise<MediaFile> {
  const bytes = options.bytes ?? (await readFile(fixturePath(name)));
  const inspected = await inspectBuffer(await readFile(fixturePath(name)));
  if (!inspected.ok) throw new Error(`fixture ${name} ${inspected.problem}`);
  return {
    ...inspected.info,
    bytes: bytes.length,
    id: `${name}-${randomUUID()}`,
    url: await control.host(bytes),
    ...(options.alt ? { alt: options.alt } : {}),
    read: async (start, end) => bytes.subarray(start, end),
  };
}
