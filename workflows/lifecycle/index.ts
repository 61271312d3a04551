// The pure account lifecycle: import this from the workflow shell (plain TypeScript, sandbox-safe).
export type * from './types.js';
export { initialState, startLifecycle, transition, type AccountInput } from './state.js';
export { describeNext, expiryDeadline, isLive, nextWake, nextWakeAt } from './schedule.js';
export { isNextActionCode, isReasonCode, NEXT_ACTION_CODES } from './codes.js';
