// Entry point of the baseline workflow bundle (bundled apart from Tether's workflows).
export { bareWorkflow, timedShapeWorkflow } from './baselines.js';
