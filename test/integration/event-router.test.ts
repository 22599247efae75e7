import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { raiseEvent } from '../../src/events/outbox';
import { startWorker, type Stoppable } from '../../src/runtime';
import { eventsSignal, ROUTER_WINDOW_MS, type EventRef } from '../../workflows/contracts/event-router';
import { eventRouterWorkflow } from '../../workflows/event-router';
import { createTestContext, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/sdk';

/**
 * The event router: one workflow per window of time, which ends once its window is over and
 * it is idle, so it never continues as new while dispatchers signal it.
 */
describe('event router windows', () => {
  let t: TestContext;
  let worker: Stoppable;
  beforeAll(async () => {
    t = await createTestContext('router');
    worker = await startWorker(t.ctx, t.temporalAddress);
    // The pump would dispatch these events itself; each test hands them over as it needs.
    await t.ctx.events.pump?.stop();
  });
  afterAll(async () => {
    await worker?.stop();
    await t.close();
  });

  async function storedEvents(customerId: string, n: number): Promise<EventRef[]> {
    const events = Array.from({ length: n }, (_, i) =>
      raiseEvent('customer.segment.entered', { type: 'customer', id: customerId }, { i }, customerId, new Date()),
    );
    await t.ctx.models.DomainEvent.insertMany(events);
    return events.map((e) => ({ id: e._id, type: e.type }));
  }

  const routed = (customerId: string, n: number) =>
    eventually(
      async () =>
        (await t.ctx.models.DomainEvent.countDocuments({ customer_id: customerId, routed_at: { $exists: true } })) === n
          ? true
          : undefined,
      15_000,
      `${n} events routed`,
    );

  /** A window that ended long enough ago for its router to end as soon as it is idle. */
  const pastWindow = () => ({ endsAt: Date.now() - 60_000 });

  async function signal(workflowId: string, endsAt: number, refs: EventRef[]) {
    return t.ctx.temporal.workflow.signalWithStart(eventRouterWorkflow, {
      workflowId,
      taskQueue: t.ctx.taskQueue,
      args: [{ endsAt }],
      signal: eventsSignal,
      signalArgs: [refs],
    });
  }

  it('a router whose window is over routes what it was given, then ends', async () => {
    const workflowId = `router-ends-${Date.now()}`;
    const refs = await storedEvents('router-ends', 3);
    const handle = await signal(workflowId, pastWindow().endsAt, refs);
    await handle.result();
    expect(
      await t.ctx.models.DomainEvent.countDocuments({ customer_id: 'router-ends', routed_at: { $exists: true } }),
    ).toBe(3);
  });

  it('a late signal to an ended window starts its router again, and the events are routed', async () => {
    const workflowId = `router-late-${Date.now()}`;
    const { endsAt } = pastWindow();
    const first = await signal(workflowId, endsAt, await storedEvents('router-late', 1));
    await first.result();
    const second = await signal(workflowId, endsAt, await storedEvents('router-late', 2));
    expect(second.signaledRunId).not.toBe(first.signaledRunId);
    await second.result();
    await routed('router-late', 3);
  });

  it('a router keeps receiving until its window (and grace) is over', async () => {
    const workflowId = `router-open-${Date.now()}`;
    const handle = await signal(workflowId, Date.now() + ROUTER_WINDOW_MS, await storedEvents('router-open', 1));
    await routed('router-open', 1);
    await signal(workflowId, Date.now() + ROUTER_WINDOW_MS, await storedEvents('router-open', 2));
    await routed('router-open', 3);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
  });

  it('replays the recorded history of a router window with the current code', async () => {
    // Recorded from a real run (three signals, parallel batches, the window's timer, the end) as
    // protobuf.js `toObject` JSON: the CLI's proto JSON needs `historyFromJSON`, which fails here
    // because npm gave @temporalio/common and @temporalio/proto separate copies of protobufjs.
    // A change that fails this replay would break routers running during a deploy: it needs patched().
    const recorded = JSON.parse(
      await readFile(path.join(__dirname, '../fixtures/histories/event-router-window.json'), 'utf8'),
    ) as Record<string, unknown>;
    const history = temporal.api.history.v1.History.fromObject(recorded);
    // Recorded before payloads were encrypted: the codec passes them through, so it replays under the service's converter.
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('../../workflows'), dataConverter: t.ctx.temporal.options.dataConverter },
        history,
      ),
    ).resolves.toBeUndefined();
  });
});
