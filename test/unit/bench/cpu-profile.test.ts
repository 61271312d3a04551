import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createProfiler, saveProfiles, summarizeProfile } from '../../../bench/shared/cpu-profile.js';

// The benchmarks' CPU profiler samples the worker threads too (the SDK runs workflow code on one),
// not only the thread that asks for the profile.

const busyThread = `
  const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
  setInterval(function busyWorkflowThread() { fib(24); }, 2);
`;

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
    await sleep(400);
    const profiles = await profiler.stop();

    expect(profiles[0]!.thread).toBe('main');
    const ranFib = (profile: (typeof profiles)[number]) => summarizeProfile(profile.profile).byFunction.some(([name]) => name.startsWith('fib') || name.startsWith('busyWorkflowThread'));
    const busy = profiles.filter(ranFib);
    expect(busy.map((p) => p.thread)).toEqual([expect.stringMatching(/worker/)]);

    const dir = mkdtempSync(path.join(tmpdir(), 'tether-profile-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    saveProfiles(dir, 'burst', [profiles[0]!, busy[0]!]);
    const thread = busy[0]!.thread.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
    expect(readdirSync(dir).sort()).toEqual(['burst-summary.txt', 'burst.cpuprofile', `burst-${thread}-summary.txt`, `burst-${thread}.cpuprofile`].sort());
  });
});
