// Everything the worker registers as a workflow. Deterministic code only: no Node built-ins, no I/O.
export { accountWorkflow } from './account/workflow.js';
export { diagnosticRoundTripWorkflow } from './diagnostics.js';
export { reconcileAccountsWorkflow } from './reconcile.js';
