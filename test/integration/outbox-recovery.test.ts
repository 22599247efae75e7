import { dispatchEvents } from '../../src/events/dispatcher';
import { raiseEvent } from '../../src/events/outbox';
import { sweepOutboxes } from '../../src/events/relay';
import { eventsSignal, routerWindowAt } from '../../workflows/contracts/event-router';
import { eventRouterWorkflow } from '../../workflows/event-router';
import { startWorker, type Stoppable } from '../../src/runtime';
import { createTestContext, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/sdk';

/**
 * The outbox from every state a crash can leave it in: each test builds the state a
 * process dies in (between two steps), then runs the recovery the next process runs.
 */
describe('outbox recovery after a crash between steps', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('outbox');
  });
  afterAll(() => t.close());

  async function customerWithOutbox(id: string) {
    const now = new Date();
    const events = [
      raiseEvent('customer.segment.entered', { type: 'customer', id }, { n: 1 }, id, now),
      raiseEvent('customer.segment.left', { type: 'customer', id }, { n: 2 }, id, now),
    ];
    await t.ctx.models.Customer.create({
      _id: id,
      source_id_key: id,
      version: 1,
      created_at: now,
      updated_at: now,
      _outbox: events,
      outbox_pending: true,
    });
    return events;
  }

  it('died after the change, before the relay: the sweep copies its events exactly once', async () => {
    const events = await customerWithOutbox('crash-before-relay');
    expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent)).toEqual({ relayed: 2, more: false });
    expect(
      (await t.ctx.models.DomainEvent.find({ customer_id: 'crash-before-relay' }).lean()).map((e) => e._id).sort(),
    ).toEqual(events.map((e) => e._id).sort());
    const doc = await t.ctx.models.Customer.findById('crash-before-relay').lean();
    expect(doc?._outbox).toEqual([]);
    expect(doc?.outbox_pending).toBeUndefined();
    expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent)).toEqual({ relayed: 0, more: false });
  });

  it('died after copying events, before removing them from the document: no duplicate', async () => {
    const events = await customerWithOutbox('crash-after-copy');
    await t.ctx.models.DomainEvent.insertMany(events);
    await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent);
    expect(await t.ctx.models.DomainEvent.countDocuments({ customer_id: 'crash-after-copy' })).toBe(2);
    expect((await t.ctx.models.Customer.findById('crash-after-copy').lean())?._outbox).toEqual([]);
  });

  it('died after copying half of a batch: the rest is copied, nothing twice', async () => {
    const events = await customerWithOutbox('crash-half-copied');
    await t.ctx.models.DomainEvent.create(events[0]!);
    await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent);
    expect(await t.ctx.models.DomainEvent.countDocuments({ customer_id: 'crash-half-copied' })).toBe(2);
  });

  it('died after Temporal accepted the events, before marking them dispatched: re-sent, routed once', async () => {
    let worker: Stoppable | undefined;
    try {
      worker = await startWorker(t.ctx, t.temporalAddress);
      await t.ctx.events.pump?.stop();
      const events = await customerWithOutbox('crash-after-signal');
      await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent);
      // What the dispatcher did before dying: the signal went out, the mark did not.
      const { workflowId, window } = routerWindowAt(t.ctx.taskQueue, Date.now());
      await t.ctx.temporal.workflow.signalWithStart(eventRouterWorkflow, {
        workflowId,
        taskQueue: t.ctx.taskQueue,
        args: [window],
        signal: eventsSignal,
        signalArgs: [events.map((e) => ({ id: e._id, type: e.type }))],
      });
      expect(
        await dispatchEvents({ Event: t.ctx.models.DomainEvent, temporal: t.ctx.temporal, taskQueue: t.ctx.taskQueue }),
      ).toBeGreaterThanOrEqual(2);
      const routed = await eventually(
        async () => {
          const docs = await t.ctx.models.DomainEvent.find({ customer_id: 'crash-after-signal' }).lean();
          return docs.every((d) => d.routed_at) ? docs : undefined;
        },
        15_000,
        'events routed',
      );
      expect(routed).toHaveLength(2);
      expect(routed.every((d) => d.dispatched_at)).toBe(true);
    } finally {
      await worker?.stop();
    }
  });

  it('a deleted customer whose process died before the relay is still removed, after its left events are out', async () => {
    await customerWithOutbox('crash-deleted');
    await t.ctx.models.Customer.updateOne(
      { _id: 'crash-deleted' },
      { $set: { deleted_at: new Date(), source_id_key: 'deleted:crash-deleted' } },
    );
    await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent);
    expect(await t.ctx.models.Customer.countDocuments({ _id: 'crash-deleted' })).toBe(0);
    expect(await t.ctx.models.DomainEvent.countDocuments({ customer_id: 'crash-deleted' })).toBe(2);
  });
});
