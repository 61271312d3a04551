import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createProfiler, saveProfiles, summarizeProfile, type CpuProfile } from '../../../bench/shared/cpu-profile.js';

// The benchmarks' CPU profiler samples the worker threads too (the SDK runs workflow code on one),
// not only the thread that asks for the profile.

// A thread that burns CPU for as long as it is told, then says so: the work falls inside the profile
// however busy the machine is.
const busyThread = `
  const { parentPort } = require('node:worker_threads');
  const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
  parentPort.on('message', (ms) => {
    const until = Date.now() + ms;
    while (Date.now() < until) fib(20);
    parentPort.postMessage('done');
  });
`;

/** Samples that landed in a function called `name`. */
function samplesIn(profile: CpuProfile, name: string): number {
  const ids = new Set(profile.nodes.filter((node) => node.callFrame.functionName === name).map((node) => node.id));
  return (profile.samples ?? []).filter((id) => ids.has(id)).length;
}

describe('the benchmarks CPU profiler', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('profiles every worker thread beside the main thread and saves one profile per thread', async () => {
    const worker = new Worker(busyThread, { eval: true });
    cleanups.push(() => worker.terminate());
    await new Promise((resolve) => worker.once('online', resolve));

    const profiler = createProfiler();
    await profiler.start();
    const done = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage(300);
    await done;
    const profiles = await profiler.stop();

    expect(profiles[0]!.thread).toBe('main');
    const busy = profiles.filter((p) => samplesIn(p.profile, 'fib') > 0);
    expect(busy.map((p) => p.thread)).toEqual([expect.stringMatching(/worker/)]);
    expect(summarizeProfile(busy[0]!.profile).totalMs).toBeGreaterThan(0);

    const dir = mkdtempSync(path.join(tmpdir(), 'tether-profile-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    saveProfiles(dir, 'burst', [profiles[0]!, busy[0]!]);
    const thread = busy[0]!.thread.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
    expect(readdirSync(dir).sort()).toEqual(['burst-summary.txt', 'burst.cpuprofile', `burst-${thread}-summary.txt`, `burst-${thread}.cpuprofile`].sort());
  });
});
