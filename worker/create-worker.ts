import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerSettings {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (production, tests); without one the workflows are bundled at start. */
  workflowBundle?: { codePath: string };
  identity?: string;
  /** How long in-flight activities may run on after shutdown starts before they are cancelled. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

export function createWorker(settings: WorkerSettings): Promise<Worker> {
  return Worker.create({
    connection: settings.connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    activities: settings.activities,
    ...(settings.workflowBundle ? { workflowBundle: settings.workflowBundle } : { workflowsPath }),
    ...(settings.identity ? { identity: settings.identity } : {}),
    shutdownGraceTime: settings.shutdownGraceTime ?? '10 seconds',
  });
}
