import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import type { RequestHandler } from 'express';
import { startSandbox } from '../../sandbox/server.js';
import type { SandboxCall, SandboxTally } from './sandbox-process.js';

// The platform sandbox as its own process, as the benchmarks start it:
// `node --import tsx bench/shared/counting-sandbox.ts --port P --counter-port C`. In its own process
// the sandbox sees requests when they arrive, not when the benchmark's event loop (polling
// projections, reading histories) gets round to them. A middleware counts and times every call and
// the 429s among them (the sandbox's own counters do not keep those); the benchmark reads the
// tally over HTTP on 127.0.0.1:C:
//   GET /tally        calls and 429s per "METHOD path" since the start
//   POST /recording   start recording each call (arrival, status, time to answer)
//   DELETE /recording stop and return the recorded calls

const MAX_RECORDED_CALLS = 200_000;

const { values } = parseArgs({ options: { port: { type: 'string' }, 'counter-port': { type: 'string' } }, strict: true });
const port = Number(values.port);
const counterPort = Number(values['counter-port']);
if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(counterPort) || counterPort <= 0) throw new Error('usage: counting-sandbox.ts --port <port> --counter-port <port>');

const tally: SandboxTally = { calls: {}, tooManyRequests: {} };
let recorded: SandboxCall[] | undefined;

const count: RequestHandler = (req, res, next) => {
  const at = Date.now();
  const started = performance.now();
  // Read before routing: routers mounted on a host prefix rewrite req.path.
  const key = `${req.method} ${req.path}`;
  res.on('finish', () => {
    const ms = performance.now() - started;
    const call = (tally.calls[key] ??= { count: 0, ms: 0 });
    call.count += 1;
    call.ms += ms;
    if (res.statusCode === 429) tally.tooManyRequests[key] = (tally.tooManyRequests[key] ?? 0) + 1;
    if (recorded) {
      recorded.push({ at, key, status: res.statusCode, ms });
      if (recorded.length >= MAX_RECORDED_CALLS) recorded = undefined;
    }
  });
  next();
};

await startSandbox({ port, before: [count] });

createServer((req, res) => {
  const answer = (body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/tally') return answer(tally);
  if (req.method === 'POST' && req.url === '/recording') return answer(((recorded = []), { recording: true }));
  if (req.method === 'DELETE' && req.url === '/recording') {
    const calls = recorded ?? [];
    recorded = undefined;
    return answer(calls);
  }
  res.writeHead(404).end();
}).listen(counterPort, '127.0.0.1');
