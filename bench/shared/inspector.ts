import { Session } from 'node:inspector/promises';

// The process's own inspector, on its main thread and on every worker thread (the Temporal SDK runs
// workflow code on one): worker threads are reached through the main thread's session (the
// NodeWorker domain), each attached thread with a session of its own whose protocol messages travel
// as strings. Used by the benchmarks' CPU profiles and by their full garbage collections.

type Answer = { result?: unknown; error?: { message: string } };
type Call = (method: string, params?: object) => Promise<unknown>;

export interface ProcessInspector {
  /** Runs `work` on the main thread ('main') and on each worker thread; a thread that ended meanwhile is left out. */
  onEveryThread<T>(work: (call: Call, thread: string) => Promise<T>): Promise<T[]>;
  close(): void;
}

export async function openInspector(): Promise<ProcessInspector> {
  const session = new Session();
  session.connect();
  let threads: { sessionId: string; title: string }[] = [];
  const waiting = new Map<number, { sessionId: string; settle: (answer: Answer) => void }>();
  let nextId = 1;
  const answer = (id: number, message: Answer) => {
    waiting.get(id)?.settle(message);
    waiting.delete(id);
  };

  session.on('NodeWorker.attachedToWorker', ({ params }) => threads.push({ sessionId: params.sessionId, title: params.workerInfo.title }));
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    const message = JSON.parse(params.message) as Answer & { id?: number };
    if (message.id !== undefined) answer(message.id, message);
  });
  // A thread that ends answers nothing more: its calls fail.
  session.on('NodeWorker.detachedFromWorker', ({ params }) => {
    threads = threads.filter((thread) => thread.sessionId !== params.sessionId);
    for (const [id, call] of waiting) if (call.sessionId === params.sessionId) answer(id, { error: { message: 'the thread ended' } });
  });
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });

  const onThread =
    (sessionId: string): Call =>
    (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { sessionId, settle: (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result)) });
        session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
      });
  const onMain: Call = (method, params) => (session.post as (method: string, params?: object) => Promise<unknown>)(method, params);

  return {
    async onEveryThread(work) {
      const results = [await work(onMain, 'main')];
      for (const { sessionId, title } of [...threads]) {
        try {
          results.push(await work(onThread(sessionId), title));
        } catch (error) {
          if (threads.some((thread) => thread.sessionId === sessionId)) throw error;
        }
      }
      return results;
    },
    close: () => session.disconnect(),
  };
}

/** A full garbage collection on every thread of this process, as before reading its resident memory. */
export async function collectGarbage(): Promise<void> {
  const inspector = await openInspector();
  try {
    await inspector.onEveryThread((call) => call('HeapProfiler.collectGarbage'));
  } finally {
    inspector.close();
  }
}
