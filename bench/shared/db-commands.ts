import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import { callWorkerControl } from './worker-control.js';

// Database commands as the driver's command monitoring reports them: counted and timed per
// "collection.command", and (while recording) each one with its start time, for the profiles.
// Nothing in db/ counts commands yet; this tally is the benchmarks' own.

/** Commands of one kind and the time the driver waited for their answers. */
export interface CommandCount {
  count: number;
  ms: number;
}

/** Per "collection.command" (e.g. "accounts.update", "credentials.find"). */
export type CommandTotals = Record<string, CommandCount>;

/** One command as recorded: when it started (epoch ms), how long it took, what it was. */
export interface CommandEvent {
  at: number;
  ms: number;
  key: string;
  failed?: boolean;
}

/** Recording stops itself after this many events, so a forgotten recording cannot grow without bound. */
const MAX_RECORDED = 200_000;

function keyOf(event: CommandStartedEvent): string {
  // getMore names its collection in `collection`; every other command in the field named after it.
  const target = (event.commandName === 'getMore' ? event.command.collection : event.command[event.commandName]) as unknown;
  return `${typeof target === 'string' ? target : '-'}.${event.commandName}`;
}

export class CommandTally {
  private readonly totals = new Map<string, CommandCount>();
  private readonly started = new Map<number, { at: number; key: string }>();
  private recorded: CommandEvent[] | undefined;

  /** Listens to a client opened with `monitorCommands: true`. */
  attach(client: MongoClient): void {
    client.on('commandStarted', (event: CommandStartedEvent) => {
      this.started.set(event.requestId, { at: Date.now(), key: keyOf(event) });
    });
    const done = (failed: boolean) => (event: CommandSucceededEvent | CommandFailedEvent) => {
      const start = this.started.get(event.requestId);
      this.started.delete(event.requestId);
      const key = start?.key ?? `-.${event.commandName}`;
      const count = this.totals.get(key) ?? { count: 0, ms: 0 };
      count.count += 1;
      count.ms += event.duration;
      this.totals.set(key, count);
      if (this.recorded && start) {
        this.recorded.push({ at: start.at, ms: event.duration, key, ...(failed ? { failed } : {}) });
        if (this.recorded.length >= MAX_RECORDED) this.recorded = undefined;
      }
    };
    client.on('commandSucceeded', done(false));
    client.on('commandFailed', done(true));
  }

  snapshot(): CommandTotals {
    return Object.fromEntries([...this.totals].map(([key, count]) => [key, { ...count }]));
  }

  startRecording(): void {
    this.recorded = [];
  }

  /** The commands finished since startRecording (empty if it overflowed), and recording off. */
  stopRecording(): CommandEvent[] {
    const events = this.recorded ?? [];
    this.recorded = undefined;
    return events;
  }
}

/** What happened between two snapshots. */
export function commandsBetween(before: CommandTotals, after: CommandTotals): CommandTotals {
  const result: CommandTotals = {};
  for (const [key, count] of Object.entries(after)) {
    const earlier = before[key] ?? { count: 0, ms: 0 };
    if (count.count > earlier.count) result[key] = { count: count.count - earlier.count, ms: count.ms - earlier.ms };
  }
  return result;
}

export const commandCount = (totals: CommandTotals) => Object.values(totals).reduce((sum, c) => sum + c.count, 0);
export const commandMs = (totals: CommandTotals) => Object.values(totals).reduce((sum, c) => sum + c.ms, 0);

/** Totals divided by `per` (operations), rounded for reports; keys sorted by count. */
export function commandsPer(totals: CommandTotals, per: number): Record<string, { count: number; ms: number }> {
  const round = (value: number) => Math.round(value * 100) / 100;
  return Object.fromEntries(
    Object.entries(totals)
      .sort(([, a], [, b]) => b.count - a.count)
      .map(([key, c]) => [key, { count: round(c.count / per), ms: round(c.ms / per) }]),
  );
}

/** A mongoose connection as connectDatabase opens it, plus command monitoring (the driver fixes that setting when a pooled connection opens). */
export async function monitoredConnection(uri: string, tally?: CommandTally): Promise<Connection> {
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000, retryWrites: false, autoIndex: true, monitorCommands: true });
  await connection.asPromise();
  tally?.attach(connection.getClient() as unknown as MongoClient);
  return connection;
}

/**
 * Makes every later `mongoose.createConnection` in this process monitor its commands into `tally`
 * (for a process whose code opens its own connection, like worker/main.ts).
 */
export function monitorEveryConnection(tally: CommandTally): void {
  const create = mongoose.createConnection.bind(mongoose);
  const monitored = (uri: string, options: mongoose.ConnectOptions = {}) => {
    const connection = create(uri, { ...options, monitorCommands: true });
    connection.once('connected', () => tally.attach(connection.getClient() as unknown as MongoClient));
    return connection;
  };
  mongoose.createConnection = monitored as typeof mongoose.createConnection;
}

/** The tally of another process (bench/shared/monitored-worker.ts), over HTTP. */
export class RemoteCommandTally {
  constructor(private readonly port: number) {}

  private call = <T>(method: string, path: string) => callWorkerControl<T>(this.port, method, path);

  snapshot = () => this.call<CommandTotals>('GET', '/commands');
  startRecording = () => this.call<unknown>('POST', '/recording').then(() => undefined);
  stopRecording = () => this.call<CommandEvent[]>('DELETE', '/recording');
}

/** Commands of several worker processes together (the benchmark's `--tether-workers`). */
export function summedTallies(tallies: { snapshot(): Promise<CommandTotals> }[]): { snapshot(): Promise<CommandTotals> } {
  return {
    async snapshot() {
      const sum: CommandTotals = {};
      for (const totals of await Promise.all(tallies.map((tally) => tally.snapshot()))) {
        for (const [key, count] of Object.entries(totals)) {
          const into = (sum[key] ??= { count: 0, ms: 0 });
          into.count += count.count;
          into.ms += count.ms;
        }
      }
      return sum;
    },
  };
}
