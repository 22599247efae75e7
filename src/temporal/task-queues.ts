/** Workflow types the worker registers; the API refers to them by these names. */
export const WORKFLOW_TYPES = {
  healthCheck: 'healthCheckWorkflow',
} as const;
