import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Where `npm run build` leaves the workflow bundle: at the top of its output (dist/workflow-bundle.js).
// Compiled, this file is <out>/worker/workflow-bundle.js; from source, worker/workflow-bundle.ts.

const besideCompiled = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));
const fromSource = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

/** True when this process runs the compiled JavaScript (node dist/...), which cannot bundle TypeScript at start. */
export const runningCompiled = import.meta.url.endsWith('.js');

/** The prebuilt bundle, if a build made one. */
export function prebuiltWorkflowBundle(): string | undefined {
  const candidate = runningCompiled ? besideCompiled : fromSource;
  return existsSync(candidate) ? candidate : undefined;
}
