// CLI entry: `npm run sandbox`. Runs the platform emulator on config.platforms.sandboxPort.

import { pathToFileURL } from 'node:url';
import { configFromEnvironment, type Config } from '../config/index.js';
import { startSandbox, type RunningSandbox } from './server.js';

export async function runSandbox(config: Config): Promise<RunningSandbox> {
  const sandbox = await startSandbox({
    port: config.platforms.sandboxPort,
    clients: config.platforms.clients,
    linkedinOrganizationClient: config.platforms.linkedin.organizationClient,
    linkedinPartnerRefresh: config.platforms.linkedinPartnerRefresh,
    // The emulated TikTok app is as audited, and has the domains verified, that the configuration says.
    settings: { tiktokAudited: config.platforms.tiktok.audited, tiktokVerifiedDomains: config.platforms.tiktok.verifiedDomains },
    publicUrl: config.platforms.sandboxUrl,
    deauthorizeUrls: {
      facebook: `${config.web.publicUrl}/webhooks/facebook/deauthorize`,
      tiktok: `${config.web.publicUrl}/webhooks/tiktok`,
      threads: `${config.web.publicUrl}/webhooks/threads/deauthorize`,
    },
  });
  process.stdout.write(`sandbox ready ${sandbox.url}\n`);
  return sandbox;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sandbox = await runSandbox(configFromEnvironment());
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
