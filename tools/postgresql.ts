import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PostgresqlBinaries } from './binaries.js';
import { startProcess, waitUntilReady, type LineSink, type ManagedProcess } from './process.js';

// A PostgreSQL cluster of Tether's own for the embedded FerretDB's `postgresql` backend: created
// with initdb in a data directory the first time, then run as a child process on loopback only,
// with trust authentication (like the embedded FerretDB itself, it is reachable from this machine
// only) and no Unix socket (FerretDB connects over TCP; a socket path could exceed its length limit).

export interface RunningPostgresql {
  process: ManagedProcess;
  /** Connection URL of the cluster's `postgres` database, for FerretDB. */
  url: string;
}

type User = { uid: number; gid: number; name: string };

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user. */
function serverUser(): User | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('PostgreSQL refuses to run as root and there is no user `postgres` to run it as (Debian\'s postgresql package creates one)');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: 'postgres' };
}

/** Creates the cluster in `dataDir` unless it exists; initdb works in a staging directory so an interrupted run leaves no half cluster. */
function initCluster(binaries: PostgresqlBinaries, dataDir: string, user: User | undefined): void {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if (user && spawnSync('test', ['-x', parent], { uid: user.uid, gid: user.gid }).status !== 0) {
    throw new Error(`PostgreSQL runs as user ${user.name}, who cannot reach ${parent}; choose a data directory that user can reach`);
  }
  const staging = `${dataDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o700 });
  if (user) chownSync(staging, user.uid, user.gid);
  const init = spawnSync(binaries.initdb, ['-D', staging, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'], {
    uid: user?.uid,
    gid: user?.gid,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed in ${staging}: ${(init.stderr || init.stdout || String(init.error)).trim()}`);
  renameSync(staging, dataDir);
}

export async function startPostgresql(options: {
  binaries: PostgresqlBinaries;
  dataDir: string;
  port: number;
  onLine: LineSink;
  readyTimeoutMs?: number;
}): Promise<RunningPostgresql> {
  const user = serverUser();
  initCluster(options.binaries, options.dataDir, user);
  let ready = false;
  const proc = startProcess({
    name: 'postgresql',
    command: options.binaries.postgres,
    args: ['-D', options.dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'log_checkpoints=off'],
    user,
    onLine: (line) => {
      if (line.includes('ready to accept connections')) ready = true;
      options.onLine(line);
    },
  });
  await waitUntilReady(proc, async () => ready, options.readyTimeoutMs ?? 60_000);
  return { process: proc, url: `postgres://postgres@127.0.0.1:${options.port}/postgres` };
}
