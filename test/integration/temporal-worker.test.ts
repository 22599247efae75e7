import { randomUUID } from 'node:crypto';
import { healthCheckWorkflow } from '../../workflows';
import { SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes';
import { ensureSearchAttributes } from '../../src/temporal/client';
import { createWorker } from '../../src/temporal/worker';
import { createTestContext, type TestContext } from '../helpers/context';

describe('Temporal worker against the real dev server', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('worker');
  });
  afterAll(() => t.close());

  it('runs a workflow whose activity reaches the database', async () => {
    const { worker, connection } = await createWorker({
      address: t.temporalAddress,
      namespace: 'default',
      taskQueue: t.ctx.taskQueue,
      ctx: t.ctx,
    });
    try {
      const result = await worker.runUntil(
        t.ctx.temporal.workflow.execute(healthCheckWorkflow, {
          taskQueue: t.ctx.taskQueue,
          workflowId: `test-health-${randomUUID()}`,
        }),
      );
      expect(result.taskQueue).toBe(t.ctx.taskQueue);
      expect(result.databaseLatencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await connection.close();
    }
  });

  it('has the project search attributes registered, so the Web UI can filter by them', async () => {
    await ensureSearchAttributes(t.ctx.temporal, t.ctx.logger);
    const { customAttributes } = await t.ctx.temporal.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    for (const key of SEARCH_ATTRIBUTES) expect(Object.keys(customAttributes ?? {})).toContain(key.name);
  });
});
