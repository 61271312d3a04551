import path from 'node:path';
import { SandboxClient } from '../../sandbox/client.js';
import { repoRoot } from '../../tools/paths.js';
import { freePort, httpOk, startProcess, waitUntilReady } from '../../tools/process.js';
import type { Cleanup } from './cleanup.js';
import type { Logs } from './stack.js';

// The counting sandbox (counting-sandbox.ts) as a child process of the benchmark, and its tally.

/** Platform calls the sandbox answered, per `"<METHOD> <path>"`: how many and how long they took; the 429s among them. */
export interface SandboxTally {
  calls: Record<string, { count: number; ms: number }>;
  tooManyRequests: Record<string, number>;
}

/** One platform call as the sandbox saw it. */
export interface SandboxCall {
  /** Epoch ms the request arrived. */
  at: number;
  key: string;
  status: number;
  ms: number;
}

export interface BenchSandbox {
  url: string;
  pid: number;
  control: SandboxClient;
  /** Every call since the sandbox started. */
  tally(): Promise<SandboxTally>;
  /** Records each platform call (arrival, status, time to answer) until `stopRecording`. */
  startRecording(): Promise<void>;
  stopRecording(): Promise<SandboxCall[]>;
}

export async function startCountingSandbox(options: { logs: Logs; cleanup: Cleanup }): Promise<BenchSandbox> {
  const [port, counterPort] = [await freePort(), await freePort()];
  const proc = startProcess({
    name: 'sandbox',
    command: process.execPath,
    args: ['--import', 'tsx', path.join('bench', 'shared', 'counting-sandbox.ts'), '--port', String(port), '--counter-port', String(counterPort)],
    cwd: repoRoot,
    env: process.env,
    onLine: options.logs.sink('sandbox').line,
  });
  options.cleanup.add('sandbox', () => proc.stop());
  const counter = `http://127.0.0.1:${counterPort}`;
  await waitUntilReady(proc, () => httpOk(`${counter}/tally`), 60_000);
  const call = async <T>(method: string, route: string): Promise<T> => {
    const response = await fetch(`${counter}${route}`, { method });
    if (!response.ok) throw new Error(`the sandbox's counter answered ${response.status} to ${method} ${route}`);
    return (await response.json()) as T;
  };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: proc.child.pid ?? 0,
    control: new SandboxClient(url),
    tally: () => call<SandboxTally>('GET', '/tally'),
    startRecording: () => call<unknown>('POST', '/recording').then(() => undefined),
    stopRecording: () => call<SandboxCall[]>('DELETE', '/recording'),
  };
}

/** Calls between two tallies (platform calls only: the control API is not counted). */
export function callsBetween(before: SandboxTally, after: SandboxTally): Record<string, { count: number; ms: number }> {
  const result: Record<string, { count: number; ms: number }> = {};
  for (const [key, call] of Object.entries(after.calls)) {
    if (key.includes('/_sandbox/')) continue;
    const earlier = before.calls[key] ?? { count: 0, ms: 0 };
    if (call.count > earlier.count) result[key] = { count: call.count - earlier.count, ms: call.ms - earlier.ms };
  }
  return result;
}

/** All 429s in a tally. */
export const sum429 = (tally: SandboxTally) => Object.values(tally.tooManyRequests).reduce((total, n) => total + n, 0);
