import { defineUpdate } from '@temporalio/workflow';

// The bare baseline's one message: an update that does nothing, so its round trip is Temporal's alone.

export const noopWorkflowId = (index: number) => `bench-noop:${index}`;
export const noopUpdate = defineUpdate<null, []>('noop');
