import type { Client } from '@temporalio/client';
import type { Config } from '../../config/index.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Models } from '../../db/models/index.js';
import type { PlatformAdapter } from '../../platforms/types.js';
import type { CommandTally, RemoteCommandTally } from './db-commands.js';
import type { BenchOwner } from './owner.js';
import type { BenchSandbox } from './sandbox-process.js';

// What every step of a benchmark that runs Tether's worker works with (lifecycle and publish);
// each benchmark's own context extends it with its options and extras.

export interface BenchContext {
  config: Config;
  models: Models;
  store: CredentialStore;
  client: Client;
  sandbox: BenchSandbox;
  /** The X adapter in sandbox mode, as the worker builds it. */
  adapter: PlatformAdapter;
  owner: BenchOwner;
  /** Task queue of the account workflows (worker/main.ts in its own process). */
  accountTaskQueue: string;
  /**
   * Database commands: this process's (the dashboard's part of a connect or a scheduled post,
   * e.g. completeConnection, createPost) and Tether's worker's (its activities).
   */
  commands: { client: CommandTally; worker: Pick<RemoteCommandTally, 'snapshot'> };
  progress(message: string): void;
}
