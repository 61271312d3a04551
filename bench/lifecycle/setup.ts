import type { Config } from '../../config/index.js';
import type { PlatformAdapter } from '../../platforms/types.js';
import type { SandboxClient } from '../../sandbox/client.js';
import { consent, type Consented } from '../shared/consent.js';
import { PLATFORM } from '../shared/owner.js';
import { runPool } from '../shared/pool.js';

// Unmeasured setup: the sandbox identities and each identity's OAuth consent, in parallel.

/** N new X identities in the sandbox (handles `<prefix>_<i>`); returns their ids. */
export async function createIdentities(control: SandboxClient, count: number, concurrency: number, report: (message: string) => void, prefix = 'bench'): Promise<string[]> {
  const run = await runPool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const created = await control.createIdentity({ platform: PLATFORM, handle: `${prefix}_${i}`, displayName: `${prefix} ${i}` });
      return created.id;
    },
    { progress: { label: '  identities', report } },
  );
  if (run.failures > 0) throw new Error(`creating sandbox identities failed ${run.failures} times: ${run.firstError}`);
  return run.results as string[];
}

/** Attempts per consent: setup is no user action, and a loaded machine times the odd request out. */
const CONSENT_ATTEMPTS = 3;

async function consentWithRetries(adapter: PlatformAdapter, config: Config, identityId: string): Promise<Consented> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await consent(adapter, config, identityId);
    } catch (error) {
      if (attempt >= CONSENT_ATTEMPTS) throw error;
    }
  }
}

export async function consentAll(adapter: PlatformAdapter, config: Config, identityIds: string[], concurrency: number, report: (message: string) => void): Promise<Consented[]> {
  const run = await runPool(identityIds, concurrency, (id) => consentWithRetries(adapter, config, id), { progress: { label: '  consents', report } });
  if (run.failures > 0) throw new Error(`OAuth consent failed ${run.failures} times: ${run.firstError}`);
  return run.results as Consented[];
}
