import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import type { HealthCheckResult } from './contracts/health-check';

const { pingDatabase } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // A health check reports the truth now; retrying would hide an outage behind a slow answer.
  retry: { maximumAttempts: 1 },
});

/** Round trip through Temporal, a worker and the database, for `GET /health?deep=true`. */
export async function healthCheckWorkflow(): Promise<HealthCheckResult> {
  const { latencyMs } = await pingDatabase();
  return { taskQueue: workflowInfo().taskQueue, databaseLatencyMs: latencyMs };
}
