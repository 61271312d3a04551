import type { Config } from '../config/index.js';
import type { Models } from '../db/models/index.js';
import type { PlatformAdapter, PlatformId } from '../platforms/types.js';
import type { AccountWorkflowTarget } from '../services/account-workflows/target.js';

/** What the routers that act on connected accounts (Connections, Connect, Posts) are built from. */
export interface AccountPagesDeps {
  config: Config;
  models: Models;
  /** Platform adapters; a platform without one cannot be connected. */
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  workflows: AccountWorkflowTarget;
}
