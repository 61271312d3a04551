import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openInspector, type ProcessInspector } from './inspector.js';
import { callWorkerControl } from './worker-control.js';

// A V8 CPU profile of a window (the burst), taken inside a process through the inspector: the
// monitored worker serves start/stop over HTTP (monitored-worker.ts), the benchmark asks for it and
// saves the profile (open it in Chrome DevTools) and a summary of where the time went.

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** One thread's profile: the main thread's, or a worker thread's (the SDK's workflow threads). */
export interface ThreadProfile {
  thread: string;
  profile: CpuProfile;
}

const SAMPLING_INTERVAL_US = 500;

/** Profiles the main thread and every worker thread at once (`inspector.ts` reaches the worker threads). */
export function createProfiler() {
  let inspector: ProcessInspector | undefined;
  return {
    async start(): Promise<void> {
      inspector?.close();
      inspector = await openInspector();
      await inspector.onEveryThread(async (call) => {
        await call('Profiler.enable');
        await call('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
        await call('Profiler.start');
      });
    },
    async stop(): Promise<ThreadProfile[]> {
      if (!inspector) throw new Error('no profile running');
      const profiles = await inspector.onEveryThread(async (call, thread) => ({ thread, profile: ((await call('Profiler.stop')) as { profile: CpuProfile }).profile }));
      inspector.close();
      inspector = undefined;
      return profiles;
    },
  };
}

export class RemoteProfiler {
  constructor(private readonly port: number) {}

  start = () => callWorkerControl<unknown>(this.port, 'POST', '/profile').then(() => undefined);
  stop = () => callWorkerControl<ThreadProfile[]>(this.port, 'DELETE', '/profile');
}

/** Where a frame's code lives: a package under node_modules, Node's own, or the project's folder. */
function areaOf(url: string): string {
  if (url === '') return '(native, GC, idle)';
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:internal/deps/undici')) return 'node:undici (fetch)';
  if (url.startsWith('node:')) return 'node:*';
  const own = /\/(activities|db|platforms|services|workflows|worker|config|bench|sandbox|tools)\//.exec(url);
  return own ? `tether ${own[1]}/` : url;
}

/** Self time by area and by function, largest first, in ms and % of the sampled time. */
export function summarizeProfile(profile: CpuProfile, top = 25): { totalMs: number; byArea: [string, number][]; byFunction: [string, number][] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000));
  const area = new Map<string, number>();
  const fn = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalMs += ms;
    const where = areaOf(frame.url);
    area.set(where, (area.get(where) ?? 0) + ms);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=[a-z]+\/)/, '')}:${frame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]): [string, number] => [k, Math.round(v)]);
  return { totalMs: Math.round(totalMs), byArea: sorted(area), byFunction: sorted(fn) };
}

/** Writes `<name>.cpuprofile` and `<name>-summary.txt` into `dir`; answers the summary's text. */
function saveProfile(dir: string, name: string, profile: CpuProfile): string {
  const summary = summarizeProfile(profile);
  const lines = [
    `${name}: ${summary.totalMs} ms sampled over ${Math.round((profile.endTime - profile.startTime) / 1000)} ms`,
    'self time by area:',
    ...summary.byArea.map(([area, ms]) => `  ${String(ms).padStart(7)} ms  ${area}`),
    'self time by function:',
    ...summary.byFunction.map(([fn, ms]) => `  ${String(ms).padStart(7)} ms  ${fn}`),
  ];
  writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  writeFileSync(path.join(dir, `${name}-summary.txt`), `${lines.join('\n')}\n`);
  return lines.join('\n');
}

/** Saves each thread's profile (`<name>`, then `<name>-<thread>` for worker threads); answers the summaries. */
export function saveProfiles(dir: string, name: string, profiles: ThreadProfile[]): string {
  const fileName = (thread: string) => (thread === 'main' ? name : `${name}-${thread.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`);
  return profiles.map(({ thread, profile }) => saveProfile(dir, fileName(thread), profile)).join('\n');
}
