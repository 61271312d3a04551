import { DefaultLogger, Runtime } from '@temporalio/worker';

// Test output shows SDK warnings and errors, not every worker state change.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier test file.
}
