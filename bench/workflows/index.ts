// Entry point of the baseline workflow bundle (bundled apart from Tether's workflows).
export { noopWorkflow } from './noop.js';
