import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

// A listener of its own for `/metrics`, apart from the dashboard's port: operators expose it to
// Prometheus on the private network only, and the dashboard's middleware (sessions, CSRF) never
// sees a scrape.

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** `variable` names the setting of the port, for the one-line error when it is taken. */
export async function startMetricsServer(registry: Registry, host: string, port: number, variable = 'the metrics port'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use; set ${variable} to a free port (0 turns /metrics off).`) : error),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
