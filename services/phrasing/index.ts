// Tether's words for what the workflows answer as data: reasons, next actions and update outcomes,
// with every moment in the reader's IANA time zone. Pure; web pages, flashes and the notification
// activity (in-app, email, webhook) phrase through it, so each thing is said one way.
export { phraseHealthCheck } from './checks.js';
export { phraseNextAction } from './next-action.js';
export { phraseCallFailure, phraseRefreshOutcome, phraseRevokeOutcome, sentence } from './outcomes.js';
export { phraseReason, type PhrasableReason, type PhrasingContext } from './reasons.js';
export { formatDateTime, formatMoment, formatTime, isTimeZone, millisOf, zoneOrUtc, type Instant } from './time.js';
