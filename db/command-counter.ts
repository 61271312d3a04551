import type { Connection } from 'mongoose';

// Counts the commands a connection sends (the driver's command monitoring): the database round
// trips an action costs. The connection must be opened with `monitorCommands: true`
// (`connectDatabase(uri, { monitorCommands: true })`). Used by tests and benchmarks.

interface StartedCommand {
  commandName: string;
  command: Record<string, unknown>;
}

/** Commands the driver sends for itself, not for a query of ours. */
const HOUSEKEEPING = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue']);

export interface CommandCount {
  total: number;
  /** `<command> <collection>`, e.g. `find credential_heads`, with how often it was sent. */
  byCommand: Record<string, number>;
  /**
   * Commands FerretDB 1.24 answers by reading the whole collection: every find, update, delete and
   * findAndModify whose filter is not exactly `{_id: <value>}`, and every count or aggregate.
   */
  scans: Record<string, number>;
}

/** The filters a command runs, or undefined for commands that read nothing (inserts). */
function filtersOf(name: string, command: Record<string, unknown>): unknown[] | undefined {
  switch (name) {
    case 'find':
    case 'count':
      return [command.filter ?? command.query ?? {}];
    case 'findAndModify':
      return [command.query ?? {}];
    case 'update':
      return ((command.updates as { q: unknown }[] | undefined) ?? []).map((update) => update.q);
    case 'delete':
      return ((command.deletes as { q: unknown }[] | undefined) ?? []).map((deletion) => deletion.q);
    case 'aggregate':
    case 'distinct':
      return [{ scan: true }];
    default:
      return undefined;
  }
}

const isPointFilter = (filter: unknown) =>
  typeof filter === 'object' && filter !== null && Object.keys(filter).length === 1 && ['string', 'object'].includes(typeof (filter as { _id?: unknown })._id) && !isOperator((filter as { _id: unknown })._id);

const isOperator = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).some((key) => key.startsWith('$'));

export interface CommandCounter {
  count(): CommandCount;
  reset(): void;
  stop(): void;
}

export function countCommands(connection: Connection): CommandCounter {
  const client = connection.getClient();
  let byCommand: Record<string, number> = {};
  let scans: Record<string, number> = {};
  const listener = (event: StartedCommand) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    const target = event.command[event.commandName];
    const name = typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
    byCommand[name] = (byCommand[name] ?? 0) + 1;
    if (filtersOf(event.commandName, event.command)?.some((filter) => !isPointFilter(filter))) scans[name] = (scans[name] ?? 0) + 1;
  };
  client.on('commandStarted', listener);
  return {
    count: () => ({ total: Object.values(byCommand).reduce((sum, n) => sum + n, 0), byCommand: { ...byCommand }, scans: { ...scans } }),
    reset: () => {
      byCommand = {};
      scans = {};
    },
    stop: () => {
      client.off('commandStarted', listener);
    },
  };
}
