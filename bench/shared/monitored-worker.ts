import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createProfiler } from './cpu-profile.js';
import { CommandTally, monitorEveryConnection } from './db-commands.js';
import { serveGarbageCollection } from './worker-control.js';

// Tether's worker process (worker/main.ts, unchanged) with the driver's command monitoring on, as
// the benchmarks start it: `node --import tsx bench/shared/monitored-worker.ts --counter-port P`.
// The benchmark reads the tally over HTTP on 127.0.0.1:P:
//   GET /commands           totals per "collection.command" since the start
//   POST /recording         start recording each command (time, duration)
//   DELETE /recording       stop and return the recorded commands
//   POST /profile           start a CPU profile of this process (every thread)
//   DELETE /profile         stop it and return the profiles
//   POST /gc                a full garbage collection on every thread (before reading memory)

const { values } = parseArgs({ options: { 'counter-port': { type: 'string' } }, strict: true });
const port = Number(values['counter-port']);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: monitored-worker.ts --counter-port <port>');

const tally = new CommandTally();
monitorEveryConnection(tally);

const profiler = createProfiler();

createServer((req, res) => {
  const answer = (body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/commands') return answer(tally.snapshot());
  if (req.method === 'POST' && req.url === '/recording') return answer((tally.startRecording(), { recording: true }));
  if (req.method === 'DELETE' && req.url === '/recording') return answer(tally.stopRecording());
  if (req.method === 'POST' && req.url === '/profile') return void profiler.start().then(() => answer({ profiling: true }), (error: unknown) => res.writeHead(500).end(String(error)));
  if (req.method === 'DELETE' && req.url === '/profile') return void profiler.stop().then(answer, (error: unknown) => res.writeHead(500).end(String(error)));
  if (serveGarbageCollection(req, res)) return;
  res.writeHead(404).end();
})
  .listen(port, '127.0.0.1')
  .unref();

await import('../../worker/main.js');
