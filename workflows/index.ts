// Everything the worker registers as a workflow. Deterministic code only: no Node built-ins, no I/O.
export { diagnosticRoundTripWorkflow } from './diagnostics.js';
