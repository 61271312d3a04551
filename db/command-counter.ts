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
}

export interface CommandCounter {
  count(): CommandCount;
  reset(): void;
  stop(): void;
}

export function countCommands(connection: Connection): CommandCounter {
  const client = connection.getClient();
  let byCommand: Record<string, number> = {};
  const listener = (event: StartedCommand) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    const target = event.command[event.commandName];
    const name = typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
    byCommand[name] = (byCommand[name] ?? 0) + 1;
  };
  client.on('commandStarted', listener);
  return {
    count: () => ({ total: Object.values(byCommand).reduce((sum, n) => sum + n, 0), byCommand: { ...byCommand } }),
    reset: () => {
      byCommand = {};
    },
    stop: () => {
      client.off('commandStarted', listener);
    },
  };
}
