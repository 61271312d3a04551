// Starts the platform emulator in-process. Tests, benchmarks and sandbox/main.ts use this.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type RequestHandler } from 'express';
import type { PlatformId } from '../platforms/types.js';
import type { DeauthorizeUrls, SettingsPatch } from './api-types.js';
import { SandboxState, type SandboxLogger } from './core/state.js';
import { mountControlApi } from './core/control.js';
import { mountHomePage } from './core/home.js';
import { mountMediaFiles } from './core/media.js';
import { mountAllPlatforms } from './platforms/index.js';

export type { SandboxLogger } from './core/state.js';
export { SandboxState } from './core/state.js';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** OAuth clients; default `sandbox-<id>-client` / `sandbox-<id>-secret`. */
  clients?: Partial<Record<PlatformId, { clientId: string; clientSecret: string }>>;
  /** LinkedIn's Community Management app (organization mode); default `sandbox-linkedin-organization-client` / `-secret`. */
  linkedinOrganizationClient?: { clientId: string; clientSecret: string };
  deauthorizeUrls?: DeauthorizeUrls;
  /** LinkedIn issues refresh tokens only to approved partners; default false. */
  linkedinPartnerRefresh?: boolean;
  /** Settings to start from and to return to on reset (`/_sandbox/config` can change them meanwhile). */
  settings?: SettingsPatch;
  /** URL the sandbox is reached at, used in absolute links; default derived from each request. */
  publicUrl?: string;
  logger?: SandboxLogger;
  /** Middleware in front of every platform: a simulated network, or an observer of responses. */
  before?: RequestHandler[];
}

export interface RunningSandbox {
  url: string;
  state: SandboxState;
  close(): Promise<void>;
}

export function createSandboxApp(options: SandboxOptions = {}, state = new SandboxState(options)): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  for (const handler of options.before ?? []) app.use(handler);
  mountMediaFiles(app, state);
  mountControlApi(app, state);
  mountAllPlatforms(app, state);
  mountHomePage(app, state);
  return app;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const state = new SandboxState(options);
  const app = createSandboxApp(options, state);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  const url = options.publicUrl?.replace(/\/$/, '') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.publicUrl = url;
  return {
    url,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
