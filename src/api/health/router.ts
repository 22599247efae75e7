import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';
import { HEALTH_CHECK_WORKFLOW, type HealthCheckWorkflow } from '../../../workflows/contracts/health-check';
import { checkDatabase, checkTemporal, checkWorker, type CheckResult } from './checks';

const checkSchema = z.object({ ok: z.boolean(), error: z.string().optional() }).catchall(z.unknown());

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  dependencies: z.object({ temporal: checkSchema, database: checkSchema, worker: checkSchema }),
  roundTrip: checkSchema
    .optional()
    .describe('Only with ?deep=true: a workflow run by a worker that pings the database'),
});

/**
 * Unauthenticated, so load balancers and orchestrators can probe it; it reveals no data.
 * `?deep=true` starts a workflow, so it needs a key (any role): src/http/app.ts checks it.
 */
export function healthRouter(ctx: Pick<Infrastructure, 'db' | 'databaseKind' | 'temporal' | 'taskQueue'>): ApiRouter {
  return new ApiRouter('/health', 'Operations', false).route(
    {
      method: 'get',
      path: '/',
      summary: 'Reports whether Temporal, the database and a worker are reachable (503 if any is not)',
      query: z.strictObject({
        deep: z
          .enum(['true', 'false'])
          .optional()
          .describe('Also run a workflow round trip through a worker; needs X-App-Id / X-App-Token (any role)'),
      }),
      response: healthSchema,
      errors: {
        401: 'deep=true without a valid X-App-Id / X-App-Token',
        429: 'deep=true after too many failed authentications; see Retry-After',
        503: 'A dependency is down (same body as 200)',
      },
    },
    async ({ query, res }) => {
      const [temporal, database, worker] = await Promise.all([
        checkTemporal(ctx),
        checkDatabase(ctx),
        checkWorker(ctx),
      ]);
      const body: z.infer<typeof healthSchema> = { status: 'ok', dependencies: { temporal, database, worker } };
      if (query.deep === 'true') body.roundTrip = await roundTrip(ctx);
      const checks: CheckResult[] = [temporal, database, worker, ...(body.roundTrip ? [body.roundTrip] : [])];
      if (checks.some((c) => !c.ok)) body.status = 'degraded';
      res.status(body.status === 'ok' ? 200 : 503).json(body);
    },
  );
}

async function roundTrip({
  temporal,
  taskQueue,
}: Pick<Infrastructure, 'temporal' | 'taskQueue'>): Promise<CheckResult> {
  const started = performance.now();
  try {
    const result = await temporal.workflow.execute<HealthCheckWorkflow>(HEALTH_CHECK_WORKFLOW, {
      taskQueue,
      workflowId: `health-check-${randomUUID()}`,
      workflowExecutionTimeout: '10 seconds',
    });
    return { ok: true, ms: Math.round(performance.now() - started), ...result };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
