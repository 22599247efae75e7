export { eventRouterWorkflow } from './event-router';
export { healthCheckWorkflow } from './health-check';
export { segmentSyncWorkflow } from './segment-sync';
export { customerImportWorkflow } from './customer-import';
export { campaignGenerationWorkflow } from './campaign-generation';
export { distributionWorkflow } from './distribution';
export { deliveryWorkflow } from './delivery';
export { segmentTimeRefreshWorkflow } from './segment-time-refresh';
