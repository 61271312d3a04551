import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// Child processes that are started in their own process group, stream their output line by line,
// report readiness, and are stopped with everything they spawned.

export type LineSink = (line: string) => void;

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string,
  ) {
    super(`Port ${port} is already in use; set ${variable} to a free port (or stop what is using it).`);
    this.name = 'PortInUseError';
  }
}

/** Listens on `port` for a moment: undefined when it could, else why not. */
function probeListen(port: number, host = '127.0.0.1'): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export async function assertPortFree(port: number, variable: string, host = '127.0.0.1'): Promise<void> {
  const error = await probeListen(port, host);
  if (error) throw error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new PortInUseError(port, variable) : error;
}

/**
 * Ports handed out below the kernel's ephemeral range (32768–60999 on Linux, 49152–65535 elsewhere):
 * the kernel never gives those to `listen(0)` or to an outgoing connection, so a port chosen here
 * stays free until its server binds it, seconds later. A port the kernel chose could be taken in
 * between (an `npm start` test lost its worker's metrics port that way).
 */
const PORTS_FROM = 10_000;
const PORTS_TO = 32_000;
const handedOut = new Set<number>();

/** A free TCP port on loopback, not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = PORTS_FROM + Math.floor(Math.random() * (PORTS_TO - PORTS_FROM));
    if (handedOut.has(port) || (await probeListen(port)) !== undefined) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${PORTS_FROM} and ${PORTS_TO}`);
}

function splitLines(onLine: LineSink): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line.replace(/\r$/, ''));
  };
}

export function startProcess(options: {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onLine: LineSink;
  /** Run as this user (needs root): PostgreSQL refuses to run as root. */
  user?: { uid: number; gid: number };
}): ManagedProcess {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    uid: options.user?.uid,
    gid: options.user?.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', splitLines(options.onLine));
  child.stderr?.on('data', splitLines(options.onLine));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    child.once('error', (error) => {
      options.onLine(`failed to start: ${error.message}`);
      resolve(127);
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    name: options.name,
    child,
    exited,
    async stop(timeoutMs = 10_000) {
      signalGroup('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!done) {
        signalGroup('SIGKILL');
        await exited;
      }
    },
  };
}

/** Polls `check` until it returns true, the process exits, or the deadline passes. */
export async function waitUntilReady(
  proc: Pick<ManagedProcess, 'name' | 'exited'>,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${proc.name} exited with code ${exitCode} before it was ready`);
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${proc.name} was not ready within ${Math.round(timeoutMs / 1000)} s`);
}

export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  return response.ok;
}
