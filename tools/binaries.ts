import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { EmbeddedDatabaseBackend } from '../config/schema.js';
import { repoRoot, toolsBin, toolsDir } from './paths.js';
import { VERSIONS } from './versions.js';

// Finds the infrastructure binaries Tether runs against, building or resolving them into .tools/
// the first time. Every build prints its progress and lands atomically, so an interrupted build
// never leaves a half-written binary that a later run would trust.

export type Progress = (line: string) => void;

const defaultProgress: Progress = (line) => process.stderr.write(`[tools] ${line}\n`);

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const resolved = found.stdout.trim();
  return found.status === 0 && resolved ? resolved : undefined;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }, progress: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => {
      for (const raw of chunk.toString('utf8').split('\n')) {
        const line = stripVTControlCharacters(raw).trimEnd();
        if (line.trim()) progress(`  ${line}`);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

async function timed<T>(what: string, progress: Progress, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  progress(`${what}...`);
  const result = await work();
  progress(`${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** The `temporal` CLI: an explicit path, one on PATH, or v1.5.1 built with `go install`. */
export async function temporalCli(options: { explicitPath?: string; progress?: Progress } = {}): Promise<string> {
  const progress = options.progress ?? defaultProgress;
  if (options.explicitPath) {
    if (!existsSync(options.explicitPath)) throw new Error(`TEMPORAL_CLI_PATH points to ${options.explicitPath}, which does not exist`);
    return options.explicitPath;
  }
  const built = path.join(toolsBin, `temporal-${VERSIONS.temporalCli}`);
  if (existsSync(built)) return built;
  const system = onPath('temporal');
  if (system) return system;

  const staging = path.join(toolsDir, 'staging-temporal');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await timed(`Building Temporal CLI ${VERSIONS.temporalCli} with go install (first run only; several minutes on 2 cores)`, progress, () =>
    run('go', ['install', '-v', `github.com/temporalio/cli/cmd/temporal@${VERSIONS.temporalCli}`], { env: { GOBIN: staging, CGO_ENABLED: '0' } }, progress),
  );
  mkdirSync(toolsBin, { recursive: true });
  renameSync(path.join(staging, 'temporal'), built);
  rmSync(staging, { recursive: true, force: true });
  return built;
}

export type DatabaseServer =
  | { kind: 'mongod'; path: string }
  /** `postgresql` set: FerretDB runs on a PostgreSQL cluster of its own instead of SQLite files. */
  | { kind: 'ferretdb'; path: string; postgresql?: PostgresqlBinaries };

/** How a database server is named in output: `mongod`, `FerretDB (SQLite)` or `FerretDB (PostgreSQL)`. */
export function databaseServerName(server: DatabaseServer): string {
  if (server.kind === 'mongod') return 'mongod';
  return server.postgresql ? 'FerretDB (PostgreSQL)' : 'FerretDB (SQLite)';
}

/**
 * The embedded MongoDB-wire server. On the `sqlite` backend (default): a `mongod` on PATH, else
 * FerretDB built from tools/ferretdb on SQLite. On `postgresql`: that FerretDB on PostgreSQL, whose
 * server binaries are installed from Debian when missing.
 */
export async function databaseServer(options: { backend?: EmbeddedDatabaseBackend; progress?: Progress } = {}): Promise<DatabaseServer> {
  const progress = options.progress ?? defaultProgress;
  if (options.backend === 'postgresql') {
    const [ferretdb, postgresql] = await Promise.all([ferretdbBinary(progress), postgresqlBinaries(progress)]);
    return { kind: 'ferretdb', path: ferretdb, postgresql };
  }
  const mongod = onPath('mongod');
  if (mongod) return { kind: 'mongod', path: mongod };
  return { kind: 'ferretdb', path: await ferretdbBinary(progress) };
}

async function ferretdbBinary(progress: Progress): Promise<string> {
  // Named by a hash of our Go sources, so editing them rebuilds instead of reusing a stale binary.
  const sourceDir = path.join(repoRoot, 'tools', 'ferretdb');
  const sourceHash = createHash('sha256');
  const goFiles = readdirSync(sourceDir).filter((file) => file.endsWith('.go')).sort();
  for (const file of [...goFiles, 'go.mod', 'go.sum']) sourceHash.update(readFileSync(path.join(sourceDir, file)));
  const built = path.join(toolsBin, `tether-ferretdb-${sourceHash.digest('hex').slice(0, 12)}`);
  if (existsSync(built)) return built;
  mkdirSync(toolsBin, { recursive: true });
  const staging = `${built}.partial`;
  await timed(`Building FerretDB ${VERSIONS.ferretdb} (embedded, SQLite or PostgreSQL) with go build (first run only)`, progress, () =>
    run('go', ['build', '-v', '-o', staging, '.'], { cwd: sourceDir, env: { CGO_ENABLED: '0' } }, progress),
  );
  renameSync(staging, built);
  return built;
}

export interface PostgresqlBinaries {
  initdb: string;
  postgres: string;
}

const DEBIAN_POSTGRESQL = '/usr/lib/postgresql';

function findPostgresql(): PostgresqlBinaries | undefined {
  const initdb = onPath('initdb');
  const postgres = onPath('postgres');
  if (initdb && postgres) return { initdb, postgres };
  // Debian keeps them off PATH, one directory per major version.
  const versions = existsSync(DEBIAN_POSTGRESQL) ? readdirSync(DEBIAN_POSTGRESQL).filter((v) => /^\d+$/.test(v)) : [];
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const bin = path.join(DEBIAN_POSTGRESQL, version, 'bin');
    const found = { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
    if (existsSync(found.initdb) && existsSync(found.postgres)) return found;
  }
  return undefined;
}

/** PostgreSQL's `initdb` and `postgres`: on PATH, else Debian's newest, else installed with apt-get (as root). */
export async function postgresqlBinaries(progress: Progress = defaultProgress): Promise<PostgresqlBinaries> {
  const found = findPostgresql();
  if (found) return found;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    throw new Error('EMBEDDED_DB_BACKEND=postgresql needs the PostgreSQL server (initdb, postgres): install Debian\'s postgresql package or put them on PATH');
  }
  const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { env: { DEBIAN_FRONTEND: 'noninteractive' } }, progress);
  await timed('Installing PostgreSQL (Debian package postgresql) with apt-get (first run only)', progress, async () => {
    // A fresh machine's package lists may be missing or stale: update them only if needed.
    await install().catch(async () => {
      await run('apt-get', ['update'], {}, progress);
      await install();
    });
  });
  const installed = findPostgresql();
  if (!installed) throw new Error('apt-get installed postgresql, but initdb and postgres are neither on PATH nor under /usr/lib/postgresql/<version>/bin');
  return installed;
}

/**
 * The Java time-skipping test server, resolved from Maven Central, behind a wrapper that
 * `@temporalio/testing` launches as `<path> <port> --enable-time-skipping` and kills with SIGKILL:
 * the wrapper must `exec` the JVM, which must listen within the SDK's 5 s start window.
 */
export async function timeSkippingServer(options: { progress?: Progress } = {}): Promise<string> {
  const progress = options.progress ?? defaultProgress;
  const home = path.join(toolsDir, 'temporal-test-server', VERSIONS.temporalTestServer);
  const wrapper = path.join(home, 'run');
  if (existsSync(wrapper)) return wrapper;

  const lib = path.join(home, 'lib');
  rmSync(home, { recursive: true, force: true });
  await timed(`Resolving io.temporal:temporal-test-server:${VERSIONS.temporalTestServer} with Maven (first run only)`, progress, () =>
    run(
      'mvn',
      ['-B', '-q', 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, `-Dtemporal.test.server.version=${VERSIONS.temporalTestServer}`],
      { cwd: path.join(repoRoot, 'tools', 'test-server') },
      progress,
    ),
  );
  // Client-compiler-only JIT, serial GC and the CDS archive keep JVM start-up well under a second.
  const script = [
    '#!/bin/sh',
    `exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "${lib}/*" io.temporal.testserver.TestServer "$@"`,
    '',
  ].join('\n');
  writeFileSync(`${wrapper}.partial`, script);
  chmodSync(`${wrapper}.partial`, 0o755);
  renameSync(`${wrapper}.partial`, wrapper);
  return wrapper;
}

export function versionOf(binary: string, args: string[]): string {
  const out = spawnSync(binary, args, { encoding: 'utf8', timeout: 20_000 });
  return (out.stdout || out.stderr || '').trim().split('\n')[0] ?? '';
}
