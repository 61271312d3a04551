import path from 'node:path';
import { configFromEnvironment, type Config } from '../config/index.js';
import { databaseServer, databaseServerName, temporalCli } from './binaries.js';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';
import { repoRoot } from './paths.js';
import {
  assertPortFree,
  httpOk,
  PortInUseError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from './process.js';
import { startDatabaseServer, startTemporalDevServer, taskQueueHasWorker } from './servers.js';

// `npm start`: the whole system on embedded defaults, in one terminal. Starts the database and
// Temporal dev server (unless MONGODB_URI / TEMPORAL_ADDRESS point elsewhere), a mail catcher
// (unless SMTP_URL is set), the sandbox, the worker and the web app; waits for each; prefixes every
// line with its process; and on Ctrl-C or SIGTERM stops them all, newest first.
//
// It runs from source through tsx, a development dependency, and so does the mail catcher
// (smtp-server, mailparser): `npm start` is the development command, installed by a plain `npm ci`;
// the production image runs the compiled code (`npm run build`) with production dependencies only.

const NAME_WIDTH = 8;
const write = (name: string, line: string) => process.stdout.write(`${`[${name}]`.padEnd(NAME_WIDTH + 2)} ${line}\n`);

async function checkPorts(config: Config): Promise<void> {
  const wanted: Array<[number, string]> = [[config.web.port, 'WEB_PORT']];
  if (config.mongo.embedded) wanted.push([config.mongo.port, 'MONGODB_PORT']);
  if (config.temporal.embedded) wanted.push([config.temporal.port, 'TEMPORAL_PORT'], [config.temporal.uiPort, 'TEMPORAL_UI_PORT']);
  if (config.platforms.mode === 'sandbox') wanted.push([config.platforms.sandboxPort, 'SANDBOX_PORT']);
  if (catchesMail(config)) wanted.push([config.email.catcher!.port, 'DEV_MAIL_PORT']);
  const metrics: Array<[number, string]> = [
    [config.metrics.webPort, 'WEB_METRICS_PORT'],
    [config.metrics.workerPort, 'WORKER_METRICS_PORT'],
    [config.metrics.temporalPort, 'TEMPORAL_METRICS_PORT'],
  ];
  for (const [port, variable] of wanted) await assertPortFree(port, variable);
  for (const [port, variable] of metrics) if (port > 0) await assertPortFree(port, variable, config.metrics.host);
}

/** Development without SMTP_URL: email goes to a local catcher, listed at /dev/mail. */
function catchesMail(config: Config): boolean {
  return Boolean(config.email.catcher && !config.email.smtpUrl);
}

function nodeService(name: string, entry: string, env: NodeJS.ProcessEnv): ManagedProcess {
  return startProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(repoRoot, entry)],
    cwd: repoRoot,
    env,
    onLine: (line) => write(name, line),
  });
}

const running: ManagedProcess[] = [];
let mailCatcher: MailCatcher | undefined;
let stopping = false;

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (running.length > 0) write('tether', 'stopping...');
  for (const proc of [...running].reverse()) await proc.stop();
  await mailCatcher?.close();
  if (running.length > 0) write('tether', 'stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const started = Date.now();
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const track = (proc: ManagedProcess) => {
    running.push(proc);
    void proc.exited.then((code) => {
      if (stopping) return;
      write('tether', `${proc.name} exited unexpectedly (code ${code}); stopping everything`);
      void stopAll(1);
    });
    return proc;
  };

  await checkPorts(config);
  const progress = (line: string) => write('tools', line);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: config.temporal.address, MONGODB_URI: config.mongo.uri };
  const caughtMailUrl = `${config.web.publicUrl}/dev/mail`;
  if (catchesMail(config)) {
    const catcher = config.email.catcher!;
    mailCatcher = await startMailCatcher({
      port: catcher.port,
      dir: catcher.dir,
      onMail: (mail) => write('mail', `caught "${mail.subject}" for ${mail.to.join(', ')}: ${caughtMailUrl}`),
    });
    childEnv.SMTP_URL = mailCatcher.url;
  }

  const infrastructure: Promise<unknown>[] = [];
  if (config.mongo.embedded) {
    infrastructure.push(
      databaseServer({ backend: config.mongo.embeddedBackend, progress }).then(async (server) => {
        write('tether', `starting ${databaseServerName(server)} on port ${config.mongo.port}`);
        const db = await startDatabaseServer({
          server,
          port: config.mongo.port,
          dataDir: path.join(config.dataDir, server.kind === 'mongod' ? 'mongod' : server.postgresql ? 'postgresql' : 'ferretdb'),
          onLine: (line) => write('db', line),
        });
        track(db.process);
      }),
    );
  }
  if (config.temporal.embedded) {
    infrastructure.push(
      temporalCli({ explicitPath: config.tools.temporalCliPath, progress }).then(async (cli) => {
        write('tether', `starting Temporal dev server on port ${config.temporal.port}`);
        const temporal = await startTemporalDevServer({
          cli,
          port: config.temporal.port,
          uiPort: config.temporal.uiPort,
          dbFile: path.join(config.dataDir, 'temporal.db'),
          namespace: config.temporal.namespace,
          onLine: (line) => write('temporal', line),
        });
        track(temporal.process);
      }),
    );
  }
  await Promise.all(infrastructure);

  const services: Promise<void>[] = [];
  if (config.platforms.mode === 'sandbox') {
    const sandbox = track(nodeService('sandbox', 'sandbox/main.ts', childEnv));
    services.push(waitUntilReady(sandbox, () => httpOk(`${config.platforms.sandboxUrl}/`), 60_000));
  }
  const worker = track(nodeService('worker', 'worker/main.ts', childEnv));
  services.push(
    waitUntilReady(worker, () => taskQueueHasWorker(config.temporal.address, config.temporal.namespace, config.temporal.taskQueue), 120_000),
  );
  const web = track(nodeService('web', 'web/main.ts', childEnv));
  services.push(waitUntilReady(web, () => httpOk(`http://127.0.0.1:${config.web.port}/readyz`), 60_000));
  await Promise.all(services);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `Tether is ready (${seconds} s):`,
      `  Dashboard    ${config.web.publicUrl}`,
      `  Temporal UI  ${config.temporal.embedded ? config.temporal.uiUrl : `${config.temporal.uiUrl} (external cluster: ${config.temporal.address})`}`,
      config.platforms.mode === 'sandbox' ? `  Sandbox      ${config.platforms.sandboxUrl}` : '  Platforms    live',
      mailCatcher ? `  Email        ${caughtMailUrl} (caught here, not delivered)` : `  Email        ${config.email.smtpUrl ? 'sent through SMTP_URL' : 'off'}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof PortInUseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`tether: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  void stopAll(1);
});
