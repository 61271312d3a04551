import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { BenchBrowser } from './http.js';

// Timing routes with sequential requests, and counting the MongoDB work behind one render.

export interface Route {
  name: string;
  path: string;
}

export const CONNECTIONS: Route = { name: 'Connections page', path: '/connections' };
/** The cheapest route through Express (security headers, a static-file miss, a JSON body): the baseline. */
export const HEALTHZ: Route = { name: 'GET /healthz', path: '/healthz' };
export const STYLESHEET: Route = { name: 'GET /static/tether.css', path: '/static/tether.css' };

export interface RouteTiming {
  route: Route;
  latencyMs: LatencySummary;
  bytes: number;
}

async function timedGet(browser: BenchBrowser, route: Route): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await browser.send('GET', route.path);
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${route.path} answered ${response.status}`);
  return { ms, bytes: Buffer.byteLength(response.body) };
}

/**
 * `warmup` untimed rounds, then `requests` timed rounds; each round requests every route once, one
 * request at a time, so the routes are measured under the same conditions, interleaved.
 */
export async function timeRoutes(browser: BenchBrowser, routes: Route[], options: { requests: number; warmup: number }): Promise<RouteTiming[]> {
  for (let i = 0; i < options.warmup; i++) for (const route of routes) await timedGet(browser, route);
  const samples = routes.map(() => [] as number[]);
  const bytes = routes.map(() => 0);
  for (let i = 0; i < options.requests; i++) {
    for (const [index, route] of routes.entries()) {
      const timed = await timedGet(browser, route);
      samples[index]!.push(timed.ms);
      bytes[index] = timed.bytes;
    }
  }
  return routes.map((route, index) => ({ route, latencyMs: summarize(samples[index]!), bytes: bytes[index]! }));
}

export interface QueryCount {
  /** Operations mongoose sent per render (find, countDocuments, updateOne...), one entry per render. */
  operations: number[];
  /** Wire commands the driver sent per render (getMore batches of a large find included). */
  commands: number[];
  /** Wire commands of the last render, by command name. */
  byCommand: Record<string, number>;
  /** Milliseconds per wire command of the last render, as "collection.command" (a command may appear more than once). */
  commandTimes: { command: string; ms: number }[];
  /** Time the database took per render: the sum of its commands' durations, as the driver saw them (they run partly in parallel). */
  databaseMs: number[];
  /** Mongoose operations of the last render, as "collection.method". */
  operationNames: string[];
  /** Renders during which the session store moved the session's expiry (web/session.ts: once per 10 minutes of use), left out of the counts above. */
  sessionTouches: number;
}

/** The session store's expiry touch, as mongoose and as the wire name it: a write per session every few minutes, not a query of the page. */
const SESSION_TOUCH = { operation: 'sessions.updateOne', command: 'sessions.update' };

/** Renders `route` `renders` times with the mongoose debug hook and a driver command listener on. */
export async function countQueries(connection: Connection, browser: BenchBrowser, route: Route, renders: number): Promise<QueryCount> {
  const client = connection.getClient();
  const result: QueryCount = { operations: [], commands: [], byCommand: {}, databaseMs: [], commandTimes: [], operationNames: [], sessionTouches: 0 };
  for (let i = 0; i < renders; i++) {
    const operationNames: string[] = [];
    const byCommand: Record<string, number> = {};
    let databaseMs = 0;
    const labels = new Map<number, string>();
    const commandTimes: QueryCount['commandTimes'] = [];
    const onCommand = (event: CommandStartedEvent) => {
      // getMore names its collection in `collection`; every other command in the field named after it.
      const target = (event.commandName === 'getMore' ? event.command.collection : event.command[event.commandName]) as unknown;
      const label = `${typeof target === 'string' ? target : '?'}.${event.commandName}`;
      if (label === SESSION_TOUCH.command) return;
      byCommand[event.commandName] = (byCommand[event.commandName] ?? 0) + 1;
      labels.set(event.requestId, label);
    };
    const onDone = (event: CommandSucceededEvent | CommandFailedEvent) => {
      if (!labels.has(event.requestId)) return;
      databaseMs += event.duration;
      commandTimes.push({ command: labels.get(event.requestId) ?? event.commandName, ms: Math.round(event.duration * 10) / 10 });
    };
    let touched = false;
    connection.set('debug', (collection: string, method: string) => {
      const name = `${collection}.${method}`;
      if (name === SESSION_TOUCH.operation) touched = true;
      else operationNames.push(name);
    });
    client.on('commandStarted', onCommand);
    client.on('commandSucceeded', onDone);
    client.on('commandFailed', onDone);
    try {
      await timedGet(browser, route);
    } finally {
      client.off('commandStarted', onCommand);
      client.off('commandSucceeded', onDone);
      client.off('commandFailed', onDone);
      connection.set('debug', false);
    }
    if (touched) result.sessionTouches += 1;
    result.operations.push(operationNames.length);
    result.commands.push(Object.values(byCommand).reduce((sum, n) => sum + n, 0));
    result.databaseMs.push(databaseMs);
    result.commandTimes = commandTimes;
    result.byCommand = byCommand;
    result.operationNames = operationNames;
  }
  return result;
}

/** How many pills the Connections page showed (one `data-account` per connected account). */
export async function pillsOnPage(browser: BenchBrowser): Promise<number> {
  const page = await browser.send('GET', CONNECTIONS.path);
  if (page.status !== 200) throw new Error(`/connections answered ${page.status}`);
  return (page.body.match(/<li class="pill /g) ?? []).length;
}
