// Everything a benchmark starts registers how to stop it here; the stops run in reverse order on
// normal exit, on failure and on Ctrl-C/SIGTERM, so no server or worker outlives the run.

type Stop = () => Promise<unknown> | unknown;

export class Cleanup {
  private readonly stops: { name: string; stop: Stop }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, stop: Stop): void {
    this.stops.push({ name, stop });
  }

  /** Runs every stop once (later calls wait for the first), newest first; a failing stop does not skip the rest. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, stop } of this.stops.splice(0).reverse()) {
        try {
          await stop();
        } catch (error) {
          process.stderr.write(`[bench] stopping ${name} failed: ${String(error)}\n`);
        }
      }
    })();
    return this.running;
  }

  /**
   * Stops everything and exits on SIGINT/SIGTERM. Ctrl-C reaches this process twice (from the
   * terminal and relayed by tsx), so later signals are ignored: every stop has its own time limit.
   */
  exitOnSignals(): void {
    let interrupted = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (interrupted) return;
      interrupted = true;
      process.stderr.write(`\n[bench] ${signal}: stopping servers and workers...\n`);
      // Calls still in flight fail as their clients close (gRPC throws outside any promise); the stops go on.
      process.on('uncaughtException', (error) => process.stderr.write(`[bench] while stopping: ${error.message}\n`));
      void this.runAll().finally(() => process.exit(130));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
