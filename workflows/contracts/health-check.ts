/** The deep health check's round trip (workflows/health-check.ts). */

export const HEALTH_CHECK_WORKFLOW = 'healthCheckWorkflow';
export type HealthCheckWorkflow = () => Promise<HealthCheckResult>;

export interface HealthCheckResult {
  /** Proves a worker picked the task up: the task queue it ran on. */
  taskQueue: string;
  databaseLatencyMs: number;
}
