import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../tools/paths.js';
import { assertPortFree, freePort } from '../../tools/process.js';

// `npm start` as a user runs it: everything comes up on embedded defaults, the URLs are printed,
// SIGTERM leaves nothing behind, and a second start finds the first one's data.

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-start-'));
const launched: Started[] = [];
afterAll(async () => {
  // A failed assertion must not leave a running stack behind: stop whatever is still up.
  for (const started of launched) {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGTERM');
      await started.exit;
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function portsEnv() {
  return {
    WEB_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    MONGODB_PORT: String(await freePort()),
    DEV_MAIL_PORT: String(await freePort()),
    WEB_METRICS_PORT: String(await freePort()),
    WORKER_METRICS_PORT: String(await freePort()),
    TEMPORAL_METRICS_PORT: String(await freePort()),
  };
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function runStart(env: Record<string, string>): Started {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_ADDRESS|MONGODB_URI|NODE_ENV|VITEST.*)$/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tools/start.ts')], {
    cwd: repoRoot,
    env: { ...cleanEnv, TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = { child, output: () => output, exit };
  launched.push(started);
  return started;
}

async function waitForOutput(started: Started, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(started.output())) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited early:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopAndCheckNothingLeft(started: Started, ports: Record<string, string>): Promise<void> {
  started.child.kill('SIGTERM');
  expect(await started.exit).toBe(0);
  for (const [variable, port] of Object.entries(ports)) await assertPortFree(Number(port), variable);
  const leftovers = spawnSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).stdout.trim();
  expect(leftovers, 'processes still running with the data directory').toBe('');
}

describe('npm start (embedded run)', () => {
  it('starts everything, prints the URLs, stops cleanly and keeps data across restarts', { timeout: 300_000 }, async () => {
    const ports = await portsEnv();
    const first = runStart(ports);
    await waitForOutput(first, /Tether is ready/);
    expect(first.output()).toContain(`Dashboard    http://localhost:${ports.WEB_PORT}`);
    expect(first.output()).toContain(`Temporal UI  http://localhost:${ports.TEMPORAL_UI_PORT}`);
    expect(first.output()).toContain(`Sandbox      http://127.0.0.1:${ports.SANDBOX_PORT}`);
    expect(first.output()).toContain(`Email        http://localhost:${ports.WEB_PORT}/dev/mail (caught here, not delivered)`);

    // A newcomer signs up: the confirmation email is caught and listed in the dashboard.
    const web = `http://127.0.0.1:${ports.WEB_PORT}`;
    const registerPage = await fetch(`${web}/register`);
    const cookie = registerPage.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await registerPage.text())![1]!;
    const signUp = await fetch(`${web}/register`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, name: 'Newcomer', email: 'newcomer@example.com', password: 'correct horse battery' }).toString(),
    });
    expect(signUp.status).toBe(303);
    await waitForOutput(first, /\[mail\] +caught "Confirm your email address for Tether" for newcomer@example.com/, 30_000);
    const caught = await (await fetch(`${web}/dev/mail`)).text();
    expect(caught).toContain('Confirm your email address for Tether');
    expect(caught).toContain(`href="http://localhost:${ports.WEB_PORT}/verify-email?token=`);

    // Both processes serve /metrics on their own ports, and the worker the SDK's too.
    expect(await (await fetch(`http://127.0.0.1:${ports.WEB_METRICS_PORT}/metrics`)).text()).toContain('tether_http_request_duration_seconds_bucket');
    expect(await (await fetch(`http://127.0.0.1:${ports.WORKER_METRICS_PORT}/metrics`)).text()).toContain('tether_accounts{state="active",process="worker"}');
    expect(await (await fetch(`http://127.0.0.1:${ports.TEMPORAL_METRICS_PORT}/metrics`)).text()).toContain('temporal_worker_task_slots_available');

    const check = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/diagnostics/roundtrip`, { method: 'POST' });
    expect(check.status).toBe(201);
    const { checkId } = (await check.json()) as { checkId: string };
    await stopAndCheckNothingLeft(first, ports);

    const second = runStart(ports);
    await waitForOutput(second, /Tether is ready/);
    const read = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/diagnostics/roundtrip/${checkId}`);
    expect(read.status).toBe(200);
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
    try {
      const description = await new WorkflowClient({ connection }).getHandle(`diagnostic:${checkId}`).describe();
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await connection.close();
    }
    await stopAndCheckNothingLeft(second, ports);
  });

  it('refuses a taken port with one line naming the port and its variable', { timeout: 60_000 }, async () => {
    const ports = await portsEnv();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(ports.SANDBOX_PORT), '127.0.0.1', resolve));
    try {
      const started = runStart(ports);
      expect(await started.exit).toBe(1);
      const lines = started.output().trim().split('\n').filter((l) => !/nodedir|^\s*$/.test(l));
      expect(lines).toEqual([`Port ${ports.SANDBOX_PORT} is already in use; set SANDBOX_PORT to a free port (or stop what is using it).`]);
    } finally {
      blocker.close();
    }
  });

  it('refuses a bad environment with one message listing every bad variable', { timeout: 60_000 }, async () => {
    const started = runStart({ WEB_PORT: 'eighty', PLATFORM_MODE: 'prod' });
    expect(await started.exit).toBe(1);
    const output = started.output();
    expect(output).toMatch(/^Invalid configuration:\n {2}- WEB_PORT: .*\n {2}- PLATFORM_MODE: .*\n?$/);
  });
});
