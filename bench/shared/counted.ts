import type { BenchContext } from './context.js';
import { commandCount, commandsBetween, commandsPer, type CommandTotals } from './db-commands.js';
import { callsBetween } from './sandbox-process.js';
import { summarize, type LatencySummary } from './stats.js';

// The cost of one operation, counted alone: each sample runs with nothing else in flight, and the
// database commands (this process's and the worker's) and platform calls between its start and
// its answer are its own.

export interface CountedOperation {
  samples: number;
  latencyMs: LatencySummary;
  /** Per operation. */
  databaseCommands: { total: number; client: number; worker: number; clientByCommand: CommandTotals; workerByCommand: CommandTotals };
  /** Per operation, by "METHOD path" on the sandbox. */
  platformCalls: { total: number; byEndpoint: Record<string, { count: number; ms: number }> };
}

/** Runs `operation` over `items` one at a time, counting each alone; returns the results too. */
export async function countOneByOne<T, R>(context: BenchContext, items: T[], operation: (item: T) => Promise<R>): Promise<{ counted: CountedOperation; results: R[] }> {
  const { commands, sandbox } = context;
  const results: R[] = [];
  const latencies: number[] = [];
  const clientBefore = commands.client.snapshot();
  const workerBefore = await commands.worker.snapshot();
  const callsBefore = await sandbox.tally();
  for (const item of items) {
    const started = performance.now();
    results.push(await operation(item));
    latencies.push(performance.now() - started);
  }
  const client = commandsBetween(clientBefore, commands.client.snapshot());
  const worker = commandsBetween(workerBefore, await commands.worker.snapshot());
  const calls = callsBetween(callsBefore, await sandbox.tally());
  const n = Math.max(1, items.length);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    results,
    counted: {
      samples: items.length,
      latencyMs: summarize(latencies),
      databaseCommands: {
        total: round((commandCount(client) + commandCount(worker)) / n),
        client: round(commandCount(client) / n),
        worker: round(commandCount(worker) / n),
        clientByCommand: commandsPer(client, n),
        workerByCommand: commandsPer(worker, n),
      },
      platformCalls: {
        total: round(Object.values(calls).reduce((sum, c) => sum + c.count, 0) / n),
        byEndpoint: Object.fromEntries(Object.entries(calls).map(([key, c]) => [key, { count: round(c.count / n), ms: round(c.ms / n) }])),
      },
    },
  };
}
