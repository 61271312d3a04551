import { sleep } from '@temporalio/workflow';

/** A test-only workflow: sleeps on a durable timer and reports how much workflow time passed. */
export async function sleepForDays(days: number): Promise<{ sleptMs: number }> {
  const before = Date.now();
  await sleep(days * 24 * 3600 * 1000);
  return { sleptMs: Date.now() - before };
}
