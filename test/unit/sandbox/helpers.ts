// Shared helpers for the sandbox tests: start the sandbox in-process, build authorize URLs, post forms.

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { PlatformId } from '../../../platforms/types.js';
import { SandboxClient } from '../../../sandbox/client.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../../sandbox/server.js';

export const REDIRECT = 'http://localhost:3999/callback';

export interface Harness {
  sandbox: RunningSandbox;
  client: SandboxClient;
  url(hostAndPath: string): string;
}

/** Starts one sandbox per test file and resets it before each test. */
export function useSandbox(options: SandboxOptions = {}): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    harness.sandbox = await startSandbox({ port: 0, ...options });
    harness.client = new SandboxClient(harness.sandbox.url);
    harness.url = (hostAndPath) => `${harness.sandbox.url}/${hostAndPath.replace(/^\//, '')}`;
  });
  afterAll(async () => {
    await harness.sandbox.close();
  });
  beforeEach(async () => {
    await harness.client.reset();
  });
  return harness;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function withQuery(url: string, params: Record<string, string>): string {
  return `${url}?${new URLSearchParams(params).toString()}`;
}

export function clientOf(platform: PlatformId) {
  return { clientId: `sandbox-${platform}-client`, clientSecret: `sandbox-${platform}-secret` };
}

export function basic(platform: PlatformId): string {
  const c = clientOf(platform);
  return `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export function codeOf(redirect: string): string {
  const code = new URL(redirect).searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect}`);
  return code;
}

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tiny HTTP receiver for callbacks; `received` fills as requests arrive. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A file of test/fixtures/media, or one of the bundled samples (`sample-…`). */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(name.startsWith('sample-') ? `../../../services/media/samples/${name}` : `../../fixtures/media/${name}`, import.meta.url));
}

/** Puts a fixture on the sandbox's stand-in web server; answers its public address. */
export function hosted(h: Harness, name: string): Promise<string> {
  return h.client.host(fixture(name));
}
