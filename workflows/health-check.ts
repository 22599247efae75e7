import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { pingDatabase } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // A health check reports the truth now; retrying would hide an outage behind a slow answer.
  retry: { maximumAttempts: 1 },
});

export interface HealthCheckResult {
  /** Proves a worker picked the task up: the task queue it ran on. */
  taskQueue: string;
  databaseLatencyMs: number;
}

/** Round trip through Temporal, a worker and the database, for `GET /health?deep=true`. */
export async function healthCheckWorkflow(): Promise<HealthCheckResult> {
  const { latencyMs } = await pingDatabase();
  return { taskQueue: workflowInfo().taskQueue, databaseLatencyMs: latencyMs };
}
