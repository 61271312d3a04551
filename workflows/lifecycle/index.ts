// The pure account lifecycle: import this from the workflow shell (plain TypeScript, sandbox-safe).
export type * from './types.js';
export { initialState, startLifecycle, transition, type AccountInput } from './state.js';
export { describeNext, expiryDeadline, isLive, nextWake, nextWakeAt } from './schedule.js';
export { formatDate, formatDateTime, formatTime } from './reasons.js';
