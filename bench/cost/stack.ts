import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { loadConfig, type Config } from '../../config/index.js';
import { createCredentialStore, type CredentialStore } from '../../db/credentials.js';
import type { PostMedia } from '../../db/models/post.js';
import { createModels, ensureIndexes, type Models } from '../../db/models/index.js';
import { createAdapters } from '../../platforms/registry.js';
import type { PlatformAdapter, PlatformId } from '../../platforms/types.js';
import { accountWorkflowTargetFor, type AccountWorkflowTarget } from '../../services/account-workflows/target.js';
import { storeSample } from '../../services/media/intake.js';
import { databaseServer, timeSkippingServer } from '../../tools/binaries.js';
import { freePort } from '../../tools/process.js';
import { startDatabaseServer } from '../../tools/servers.js';
import { createWorkers, runWorkers } from '../../worker/create-worker.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { CommandTally, monitoredConnection } from '../shared/db-commands.js';
import { createOwner, type BenchOwner } from '../shared/owner.js';
import type { BenchRun } from '../shared/run.js';
import { startCountingSandbox, type BenchSandbox } from '../shared/sandbox-process.js';
import { startMediaHost } from './media-host.js';

// What the cost benchmark runs on: Temporal's time-skipping test server (workflow time jumps;
// activities, the database and the sandbox run in real time), the embedded database, the sandbox
// in-process, and Tether's workers in this process with real activities. The workers and the
// dashboard's part (connects, posts) each have their own database connection, so their commands
// are counted apart.

export interface CostStack {
  env: TestWorkflowEnvironment;
  config: Config;
  sandbox: BenchSandbox;
  /** The dashboard's side: its models, credential store and workflow target. */
  models: Models;
  store: CredentialStore;
  workflows: AccountWorkflowTarget;
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  owner: BenchOwner;
  /** The bundled samples, stored once: the photo (Instagram, Pinterest) and the video (TikTok, which takes photos only from a verified domain). */
  media: { photo: PostMedia; video: PostMedia };
  commands: { client: CommandTally; worker: CommandTally };
  databaseKind: string;
  runId: string;
  /** The workflow clock (epoch ms). */
  now(): Promise<number>;
}

const { IndexedValueType } = proto.temporal.api.enums.v1;

export async function startCostStack(run: BenchRun): Promise<CostStack> {
  const { cleanup, logs, progress } = run;
  // The SDK's log (workers in this process) goes to the run's log directory, not the terminal.
  const sdkLog = logs.sink('temporal-sdk');
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => sdkLog.line(`${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {})}`)),
    // The test server does not advertise every capability the SDK core looks for; it warns once per worker.
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const scratch = mkdtempSync(path.join(tmpdir(), 'tether-bench-cost-'));
  cleanup.add('scratch directory', () => rmSync(scratch, { recursive: true, force: true }));
  const [dbServer, testServer] = await Promise.all([databaseServer(), timeSkippingServer()]);
  const database = await startDatabaseServer({ server: dbServer, port: await freePort(), dataDir: path.join(scratch, 'db'), onLine: logs.sink('db').line });
  cleanup.add('database server', () => database.process.stop());
  const sandbox = await startCountingSandbox({ logs, cleanup });
  const mediaHost = await startMediaHost(cleanup);
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
  cleanup.add('time-skipping server', () => env.teardown());
  const searchAttributes = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]));
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
  progress(`servers up: time-skipping test server, ${dbServer.kind} ${database.uri}, sandbox ${sandbox.url}`);

  const runId = randomUUID().slice(0, 8);
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    TETHER_DATA_DIR: path.join(scratch, 'data'),
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: `bench-cost-${runId}`,
    MONGODB_URI: `${database.uri}/tether_bench_cost_${runId}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PLATFORM_MODE: 'sandbox',
    SANDBOX_URL: sandbox.url,
    PUBLIC_URL: mediaHost.url,
  });
  const commands = { client: new CommandTally(), worker: new CommandTally() };
  const clientDatabase = await monitoredConnection(config.mongo.uri, commands.client);
  cleanup.add('dashboard database connection', () => clientDatabase.close());
  const workerDatabase = await monitoredConnection(config.mongo.uri, commands.worker);
  cleanup.add('worker database connection', () => workerDatabase.close());
  const models = createModels(clientDatabase);
  await ensureIndexes(models);
  mediaHost.serve({ config, models });
  const sample = (name: string) => storeSample(models, fileURLToPath(new URL(`../../services/media/samples/${name}`, import.meta.url)), new Date());
  const media = { photo: await sample('sample-photo.jpg'), video: await sample('sample-video.mp4') };
  const adapters = createAdapters(config.platforms);

  progress('bundling the workflows and starting the workers');
  const workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({ models: createModels(workerDatabase), workerIdentity: 'bench-cost-worker', config, adapters }),
    shutdownGraceTime: '2 seconds',
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
  });
  const running = runWorkers(workers);
  cleanup.add('workers', async () => {
    for (const worker of workers) worker.shutdown();
    await running;
  });
  return {
    env,
    config,
    sandbox,
    models,
    store: createCredentialStore(models, config.tokenEncryptionKey),
    workflows: accountWorkflowTargetFor(env.client, config),
    adapters,
    owner: await createOwner(models),
    media,
    commands,
    databaseKind: dbServer.kind,
    runId,
    now: async () => Number(await env.currentTimeMs()),
  };
}
