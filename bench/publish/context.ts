import type { Client } from '@temporalio/client';
import type { Config } from '../../config/index.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Models } from '../../db/models/index.js';
import type { PlatformAdapter } from '../../platforms/types.js';
import type { BenchOwner } from '../shared/owner.js';
import type { BenchSandbox } from '../shared/stack.js';
import type { PublishOptions } from './options.js';

// What every step of the publishing benchmark works with.

export interface PublishContext {
  options: PublishOptions;
  config: Config;
  models: Models;
  store: CredentialStore;
  client: Client;
  sandbox: BenchSandbox;
  /** The X adapter in sandbox mode, as the worker builds it; the baseline calls it directly. */
  adapter: PlatformAdapter;
  owner: BenchOwner;
  /** Task queue of the account workflows (worker/main.ts in its own process). */
  accountTaskQueue: string;
  /** Short id of this run, in every post text so texts never repeat across runs. */
  runId: string;
  progress(message: string): void;
}
