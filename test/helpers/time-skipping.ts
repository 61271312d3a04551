import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import type { Config } from '../../config/index.js';
import { createWorkers, runWorkers } from '../../worker/create-worker.js';
import { openDatabase, testConfig, type TestDatabase } from './integration.js';
import { lifecycleActivitiesFor, openSandbox, type Sandbox } from './lifecycle.js';
import { registerSearchAttributes } from './search-attributes.js';

// The lifecycle stack on Temporal's time-skipping test server: workflow time jumps, while
// activities, MongoDB and the sandbox run on real time. The workflow measures token lifetimes on
// its own clock, so production durations work unchanged.

export const DAY_MS = 24 * 3600 * 1000;

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  config: Config;
  db: TestDatabase;
  sandbox: Sandbox;
  /** The workflow clock (the test server's), in epoch ms. */
  now(): Promise<number>;
  close(): Promise<void>;
}

export async function startTimeSkippingStack(): Promise<TimeSkippingStack> {
  const config = testConfig();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('timeSkippingServerPath') } },
  });
  await registerSearchAttributes(env);
  const db = await openDatabase(config);
  const sandbox = await openSandbox();
  const workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: config.temporal.taskQueue,
    activities: lifecycleActivitiesFor(config, db, sandbox.url),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    shutdownGraceTime: '2 seconds',
  });
  const running = runWorkers(workers);
  return {
    env,
    config,
    db,
    sandbox,
    now: async () => Number(await env.currentTimeMs()),
    async close() {
      for (const worker of workers) worker.shutdown();
      await running;
      await env.teardown();
      await sandbox.close();
      await db.close();
    },
  };
}
