import { Writable } from 'node:stream';
import { createLogger, logContext, prettyWanted, redactUrl } from '../../src/logger';
import { activityLogIds, distributionIdIn } from '../../src/temporal/activity-context';
import { temporalSdkLogger } from '../../src/temporal/sdk-logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logger', () => {
  it('blanks request credentials and provider secrets wherever they are logged', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { 'x-app-token': 'tok-123', 'x-app-id': 'app' } },
        settings: { apiKey: 'SG.secret', password: 'pw', host: 'smtp' },
      },
      'm',
    );
    const line = lines.join('');
    for (const secret of ['tok-123', 'SG.secret', '"pw"']) expect(line).not.toContain(secret);
    expect(line).toContain('"x-app-id":"app"');
    expect(line).toContain('"host":"smtp"');
  });

  it('hides the password in a connection string', () => {
    expect(redactUrl('mongodb://admin:hunter2@db:27017/promo')).toBe('mongodb://***@db:27017/promo');
    expect(redactUrl('mongodb://db:27017')).toBe('mongodb://db:27017');
  });

  it('LOG_FORMAT: auto is pretty on a terminal and JSON otherwise; pretty and json are what they say', () => {
    expect(prettyWanted('auto', true)).toBe(true);
    expect(prettyWanted('auto', false)).toBe(false);
    // Piped stdout (a container, a log collector) has no isTTY at all.
    expect(prettyWanted('auto', undefined)).toBe(false);
    expect(prettyWanted('pretty', false)).toBe(true);
    expect(prettyWanted('pretty', undefined)).toBe(true);
    expect(prettyWanted('json', true)).toBe(false);
  });

  it('adds the ids of the async log context to every line written inside it, and none outside', async () => {
    const { lines, logger } = capture();
    await logContext.run({ requestId: 'req-1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.child({ component: 'x' }).info('inside');
    });
    logger.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside', requestId: 'req-1', component: 'x' });
    expect(outside!.msg).toBe('outside');
    expect(outside).not.toHaveProperty('requestId');
  });

  it("reads a distribution's id from its workflows' ids, and prefers the one in an activity's input", () => {
    expect(distributionIdIn('distribution-distr_Ab12')).toBe('distr_Ab12');
    expect(distributionIdIn('delivery-distr_Ab12-evt_Cd34')).toBe('distr_Ab12');
    expect(distributionIdIn('segment-sync-seg_1-3')).toBeUndefined();
    const info = (workflowId: string) =>
      ({ activityType: 'deliverForEvent', workflowExecution: { workflowId, runId: 'r' } }) as never;
    expect(activityLogIds(info('delivery-distr_A-evt_B'), [{ distributionId: 'distr_A', eventId: 'evt_B' }])).toEqual({
      activity: 'deliverForEvent',
      workflowId: 'delivery-distr_A-evt_B',
      distributionId: 'distr_A',
    });
    expect(activityLogIds(info('distribution-distr_C'), ['distr_C', 0])).toMatchObject({ distributionId: 'distr_C' });
    expect(activityLogIds(info('event-router-q-1'), [['evt_1']])).toEqual({
      activity: 'deliverForEvent',
      workflowId: 'event-router-q-1',
    });
  });

  it("gives the SDK's workflow log lines their distribution's id, read from the workflow id the SDK adds", () => {
    const { lines, logger } = capture();
    const sdk = temporalSdkLogger(logger);
    sdk.info('batch scheduled', { workflowId: 'distribution-distr_Xy9', workflowType: 'distributionWorkflow' });
    sdk.warn('worker state', { taskQueue: 'q' });
    const [workflow, worker] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(workflow).toMatchObject({
      msg: 'batch scheduled',
      level: 30,
      component: 'temporal-sdk',
      workflowId: 'distribution-distr_Xy9',
      distributionId: 'distr_Xy9',
    });
    expect(worker).toMatchObject({ msg: 'worker state', level: 40, taskQueue: 'q' });
    expect(worker).not.toHaveProperty('distributionId');
  });
});
