import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { configFromEnvironment } from '../../config/index.js';
import { databaseServer, temporalCli, timeSkippingServer } from '../../tools/binaries.js';
import { freePort } from '../../tools/process.js';
import { startDatabaseServer, startTemporalDevServer, type RunningDatabase, type RunningTemporal } from '../../tools/servers.js';
import { workflowsPath } from '../../worker/create-worker.js';

// Global setup of the integration tier: one real Temporal dev server (UI enabled, Tether's search
// attributes registered) and one real MongoDB-wire server for the whole run, on free ports, plus
// the time-skipping server's launcher and a workflow bundle built once. Test files get isolation
// from unique task queues and a database each.

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
    mongoUri: string;
    databaseKind: string;
    timeSkippingServerPath: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const config = configFromEnvironment();
  const scratch = mkdtempSync(path.join(tmpdir(), 'tether-test-'));
  const quiet = (prefix: string) => (line: string) => {
    if (/error|panic|fatal/i.test(line)) process.stderr.write(`[${prefix}] ${line}\n`);
  };

  let temporal: RunningTemporal | undefined;
  let database: RunningDatabase | undefined;
  let mongoUri = config.mongo.embedded ? '' : config.mongo.uri.replace(/\/[^/?]*(\?|$)/, '$1');
  let databaseKind = 'external MONGODB_URI';

  const [cli, dbServer, timeSkipping] = await Promise.all([
    temporalCli({ explicitPath: config.tools.temporalCliPath }),
    config.mongo.embedded ? databaseServer() : Promise.resolve(undefined),
    timeSkippingServer(),
  ]);
  const uiPort = await freePort();
  const tasks: Promise<unknown>[] = [
    startTemporalDevServer({ cli, port: await freePort(), uiPort, namespace: 'default', onLine: quiet('temporal') }).then((t) => (temporal = t)),
    bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }).then(
      ({ code }) => writeFileSync(path.join(scratch, 'workflow-bundle.js'), code),
    ),
  ];
  if (dbServer) {
    databaseKind = dbServer.kind;
    tasks.push(
      startDatabaseServer({
        server: dbServer,
        port: await freePort(),
        // FerretDB's in-memory SQLite mode deadlocks on findAndModify; a throwaway directory does not.
        dataDir: path.join(scratch, 'db'),
        onLine: quiet('db'),
      }).then((d) => {
        database = d;
        mongoUri = d.uri;
      }),
    );
  }
  const stopAll = async () => {
    await Promise.all([temporal?.process.stop(), database?.process.stop()]);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await Promise.all(tasks);
  } catch (error) {
    await stopAll();
    throw error;
  }

  project.provide('temporalAddress', temporal!.address);
  project.provide('temporalUiUrl', temporal!.uiUrl!);
  project.provide('mongoUri', mongoUri);
  project.provide('databaseKind', databaseKind);
  project.provide('timeSkippingServerPath', timeSkipping);
  project.provide('workflowBundlePath', path.join(scratch, 'workflow-bundle.js'));
  return stopAll;
}
