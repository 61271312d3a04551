import path from 'node:path';
import { repoRoot } from '../../tools/paths.js';

// The ways the worker process can run, measured side by side.

export interface WorkerVariant {
  key: 'compiled' | 'source' | 'development';
  label: string;
  nodeArgs: string[];
  entry: string;
  nodeEnv: 'production' | 'development';
}

export const WORKER_VARIANTS: WorkerVariant[] = [
  // What the image runs: compiled JavaScript, the prebuilt workflow bundle, production dependencies.
  { key: 'compiled', label: 'compiled (node dist/worker/main.js)', nodeArgs: [], entry: path.join(repoRoot, 'dist', 'worker', 'main.js'), nodeEnv: 'production' },
  // The same production settings from TypeScript through tsx: the cost of the loader alone.
  { key: 'source', label: 'source through tsx, production', nodeArgs: ['--import', 'tsx'], entry: path.join(repoRoot, 'worker', 'main.ts'), nodeEnv: 'production' },
  // What `npm start` runs: tsx, and the workflows bundled at start.
  { key: 'development', label: 'source through tsx, development (bundles at start)', nodeArgs: ['--import', 'tsx'], entry: path.join(repoRoot, 'worker', 'main.ts'), nodeEnv: 'development' },
];
