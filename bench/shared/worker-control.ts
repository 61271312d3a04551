import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectGarbage } from './inspector.js';

// The control port a benchmark's worker process serves on 127.0.0.1 (its command tally, CPU
// profiles, full garbage collections): the benchmark's side of a request, and the garbage
// collection route both worker processes serve.

/** One request to a worker's control port: its JSON answer, or an error naming the request. */
export async function callWorkerControl<T>(port: number, method: string, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  if (!response.ok) throw new Error(`worker control port ${port} answered ${response.status} to ${method} ${path}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Asks a worker process for a full garbage collection on every thread, before its memory is read. */
export const requestGarbageCollection = (port: number) => callWorkerControl<unknown>(port, 'POST', '/gc').then(() => undefined);

/** Serves `POST /gc` (a full garbage collection on every thread of this process); false for any other request. */
export function serveGarbageCollection(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'POST' || req.url !== '/gc') return false;
  collectGarbage().then(
    () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"collected":true}'),
    (error: unknown) => res.writeHead(500).end(String(error)),
  );
  return true;
}
