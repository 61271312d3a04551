import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callWorkerControl, requestGarbageCollection, serveGarbageCollection } from '../../../bench/shared/worker-control.js';

// A benchmark worker's control port as both worker processes serve it: POST /gc runs a full
// garbage collection on every thread and answers; any other request is left to the caller.

describe("a benchmark worker's control port", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(): Promise<number> {
    server = createServer((req, res) => {
      if (!serveGarbageCollection(req, res)) res.writeHead(404).end('no such route');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server!.address() as AddressInfo).port;
  }

  it('answers a garbage collection request once the collection ran', async () => {
    const port = await serve();
    await expect(requestGarbageCollection(port)).resolves.toBeUndefined();
    await expect(callWorkerControl(port, 'POST', '/gc')).resolves.toEqual({ collected: true });
  });

  it('names the request and the answer when the worker refuses it', async () => {
    const port = await serve();
    await expect(callWorkerControl(port, 'GET', '/gc')).rejects.toThrow(`worker control port ${port} answered 404 to GET /gc: no such route`);
  });
});
