import type { Client } from '@temporalio/client';
import type { Config } from '../../config/index.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Models } from '../../db/models/index.js';
import type { PlatformAdapter } from '../../platforms/types.js';
import type { BenchOwner } from '../shared/owner.js';
import type { BenchSandbox, WorkerProcess } from '../shared/stack.js';
import type { LifecycleOptions } from './options.js';

// What every phase of the lifecycle benchmark works with.

export interface LifecycleContext {
  options: LifecycleOptions;
  config: Config;
  models: Models;
  store: CredentialStore;
  client: Client;
  sandbox: BenchSandbox;
  adapter: PlatformAdapter;
  owner: BenchOwner;
  /** Task queue of the account workflows (worker/main.ts in its own process). */
  accountTaskQueue: string;
  /** Task queue of the bare baseline workflows (bench/workflows/worker.ts in its own process). */
  baselineTaskQueue: string;
  workers: { tether: WorkerProcess; baseline: WorkerProcess };
  progress(message: string): void;
}
