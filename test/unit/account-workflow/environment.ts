import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, vi } from 'vitest';
import type { PlatformId } from '../../../platforms/types.js';
import { timeSkippingServer } from '../../../tools/binaries.js';
import { workflowsPath } from '../../../worker/create-worker.js';
import { accountWorkflowId, reconnectUpdate, type ReconnectResult } from '../../../workflows/account/messages.js';
import { renewalTaskQueue } from '../../../workflows/account/task-queues.js';
import type { accountWorkflow, AccountWorkflowInput } from '../../../workflows/account/workflow.js';
import { identityAttributes } from '../../../workflows/search-attributes.js';
import { registerSearchAttributes } from '../../helpers/search-attributes.js';
import { StubAccount, stubActivities } from './stub-activities.js';

// The account workflow on Temporal's time-skipping test server (the Java one .tools/ holds), run
// by a worker over stub activities: the workflow's code for real, everything around it stubbed.
// One environment per test file; each test connects its own account.

export type AccountHandle = WorkflowHandle<typeof accountWorkflow>;

export interface WorkflowTestEnvironment {
  env: TestWorkflowEnvironment;
  client: Client;
  /** Starts an account's workflow without a connect: its first run takes the stored credentials itself. */
  start(options?: AccountOptions): Promise<{ stub: StubAccount; handle: AccountHandle }>;
  /** Connects as the dashboard does (update-with-start of `reconnect`) and answers with the workflow's verdict. */
  connect(options?: AccountOptions): Promise<{ stub: StubAccount; handle: AccountHandle; result: ReconnectResult }>;
  /** An ISO time this long after now on the workflows' clock (the test server's). */
  isoIn(ms: number): Promise<string>;
  /** Now on the workflows' clock (epoch ms). */
  now(): Promise<number>;
  close(): Promise<void>;
}

export interface AccountOptions {
  platform?: PlatformId;
  /** The workflow's input, or a function of the stub (e.g. to carry state naming its account). */
  input?: Omit<AccountWorkflowInput, 'accountId'> | ((stub: StubAccount) => Omit<AccountWorkflowInput, 'accountId'>);
  /** Adjusts the stub before the workflow starts (e.g. to hold its first activity). */
  prepare?: (stub: StubAccount) => void;
  /** The search attributes `connect` starts the workflow with; by default who the account is, as the dashboard gives them. */
  startAttributes?: (stub: StubAccount) => SearchAttributePair[];
}

let runtimeInstalled = false;

export async function startWorkflowTestEnvironment(): Promise<WorkflowTestEnvironment> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
    runtimeInstalled = true;
  }
  // One after the other: the JVM must listen within the SDK's 5 s start window, and bundling beside it starves it on two cores.
  const path = await timeSkippingServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
  await registerSearchAttributes(env);
  const taskQueue = `account-workflow-${randomUUID()}`;
  const accounts = new Map<string, StubAccount>();
  const activities = stubActivities(accounts);
  const common = { connection: env.nativeConnection, namespace: env.namespace ?? 'default', shutdownGraceTime: '1 second' };
  const workers = await Promise.all([
    Worker.create({ ...common, taskQueue, workflowBundle: bundle, activities }),
    ...(['x', 'linkedin'] as const).map((platform) =>
      Worker.create({ ...common, taskQueue: renewalTaskQueue(taskQueue, platform), activities: { renewCredentials: activities.renewCredentials } }),
    ),
  ]);
  const running = Promise.all(workers.map((worker) => worker.run()));

  const newAccount = (options: AccountOptions) => {
    const stub = new StubAccount(`acct-${randomUUID()}`, options.platform);
    options.prepare?.(stub);
    accounts.set(stub.accountId, stub);
    const input = typeof options.input === 'function' ? options.input(stub) : options.input;
    const start = { taskQueue, workflowId: accountWorkflowId(stub.accountId), args: [{ accountId: stub.accountId, ...input }] as [AccountWorkflowInput] };
    return { stub, start };
  };

  return {
    env,
    client: env.client,
    async start(options = {}) {
      const { stub, start } = newAccount(options);
      const handle = await env.client.workflow.start<typeof accountWorkflow>('accountWorkflow', start);
      return { stub, handle };
    },
    async connect(options = {}) {
      const { stub, start } = newAccount(options);
      const typedSearchAttributes = (options.startAttributes ?? ((s: StubAccount) => identityAttributes(s.summary())))(stub);
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof accountWorkflow>('accountWorkflow', { ...start, typedSearchAttributes, workflowIdConflictPolicy: 'USE_EXISTING' });
      const result = await env.client.workflow.executeUpdateWithStart(reconnectUpdate, { startWorkflowOperation });
      return { stub, handle: await startWorkflowOperation.workflowHandle(), result };
    },
    isoIn: async (ms) => new Date(Number(await env.currentTimeMs()) + ms).toISOString(),
    now: async () => Number(await env.currentTimeMs()),
    async close() {
      for (const worker of workers) worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** The test file's environment: started before its tests (the object is filled in then), closed after them. */
export function useWorkflowTestEnvironment(): WorkflowTestEnvironment {
  const world = {} as WorkflowTestEnvironment;
  // Every test here waits on a real server (a JVM) and a worker: a hang guard, not a time limit. Most
  // take about a second; the unit project's 5 s default failed one when other work shared the two cores.
  vi.setConfig({ testTimeout: 30_000 });
  beforeAll(async () => {
    Object.assign(world, await startWorkflowTestEnvironment());
  }, 60_000);
  afterAll(async () => {
    await world.close?.();
  });
  return world;
}
