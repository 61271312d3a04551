import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../worker/create-worker.js';
import { repoRoot } from './paths.js';

// Bundles the workflow code once at build time; worker/main.ts loads dist/workflow-bundle.js when
// present instead of bundling at every start.

const out = path.join(repoRoot, 'dist', 'workflow-bundle.js');
const started = Date.now();
const { code } = await bundleWorkflowCode({ workflowsPath });
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, code);
process.stdout.write(`workflow bundle written to ${path.relative(repoRoot, out)} (${(code.length / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms\n`);
