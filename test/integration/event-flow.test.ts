import { dispatchEvents } from '../../src/events/dispatcher';
import { raiseEvent } from '../../src/events/outbox';
import { sweepOutboxes } from '../../src/events/relay';
import { createTestContext, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/sdk';

/**
 * The fast path: a writer relays and dispatches its own events by id, with no pump and no
 * scan; the pump's sweep leaves alone what a live writer is still doing and takes the rest.
 */
describe('event flow', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('evflow');
  });
  afterAll(() => t.close());

  it('dispatches the events of a write by id in a process without a pump, and leaves its follow-up to the pump', async () => {
    expect(t.ctx.events.pump).toBeUndefined();
    const order = await t.ctx.orders.upsert({
      source_id: 'flow-1',
      amount: 1000,
      status: 'PAID',
      customer: { source_id: 'flow-customer' },
    });
    const events = await eventually(
      async () => {
        const docs = await t.ctx.models.DomainEvent.find({ 'source.id': order._id }).lean();
        return docs.length === 2 && docs.every((d) => d.dispatched_at) ? docs : undefined;
      },
      15_000,
      'order events dispatched',
    );
    expect(events.map((e) => e.type).sort()).toEqual(['customer.order.created', 'customer.order.paid']);
    // The follow-up (the customer's order summary) is left to the pump's process: this one has none.
    expect((await t.ctx.models.Order.findById(order._id).lean())?.outbox_pending).toBe(true);
    expect(
      ((await t.ctx.customers.findBySourceId('flow-customer'))?.summary?.orders as { total_count?: number } | undefined)
        ?.total_count,
    ).toBeUndefined();
    // Its sweep takes the order at once, its events being out, and finishes it.
    await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent, { minAgeMs: 60_000 });
    expect((await t.ctx.models.Order.findById(order._id).lean())?.outbox_pending).toBeUndefined();
    expect((await t.ctx.customers.findBySourceId('flow-customer'))?.summary?.orders).toMatchObject({
      total_count: 1,
      total_amount: 1000,
    });
  });

  it('sweeps outboxes changed before the age limit or never stamped, not ones changed since', async () => {
    const old = new Date(Date.now() - 120_000);
    const now = new Date();
    const outbox = (id: string) => [raiseEvent('customer.segment.entered', { type: 'customer', id }, {}, id, now)];
    const doc = (id: string, updatedAt?: Date) => ({
      _id: id,
      source_id_key: id,
      version: 1,
      created_at: now,
      ...(updatedAt ? { updated_at: updatedAt } : {}),
      _outbox: outbox(id),
      outbox_pending: true,
    });
    // The driver's insert, so that mongoose timestamps do not stamp them.
    await t.ctx.models.Customer.collection.insertMany([
      doc('sweep-old', old),
      doc('sweep-young', now),
      doc('sweep-unstamped'),
    ] as never[]);
    expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent, { minAgeMs: 60_000 })).toEqual({
      relayed: 2,
      more: false,
    });
    const relayed = await t.ctx.models.DomainEvent.find({
      customer_id: { $in: ['sweep-old', 'sweep-young', 'sweep-unstamped'] },
    }).lean();
    expect(relayed.map((e) => e.customer_id).sort()).toEqual(['sweep-old', 'sweep-unstamped']);
    expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent)).toEqual({ relayed: 1, more: false });
  });

  it('takes an order whose events are out at once (its follow-up is left to the pump), other documents only after the age limit', async () => {
    const now = new Date();
    const event = (type: string, id: string) => [
      raiseEvent(type, { type: type.startsWith('customer.order') ? 'order' : 'customer', id }, {}, id, now),
    ];
    const doc = (id: string, outbox?: ReturnType<typeof event>) => ({
      _id: id,
      source_id_key: id,
      version: 1,
      created_at: now,
      updated_at: now,
      ...(outbox ? { _outbox: outbox } : {}),
      outbox_pending: true,
    });
    await t.ctx.models.Order.collection.insertMany([
      doc('order-follow-up-only'),
      doc('order-events-waiting', event('customer.order.created', 'order-events-waiting')),
    ] as never[]);
    await t.ctx.models.Customer.collection.insertMany([doc('customer-follow-up-only')] as never[]);
    const pending = async () =>
      [
        ...(await t.ctx.models.Order.find(
          { _id: { $in: ['order-follow-up-only', 'order-events-waiting'] }, outbox_pending: true },
          { _id: 1 },
        ).lean()),
        ...(await t.ctx.models.Customer.find(
          { _id: 'customer-follow-up-only', outbox_pending: true },
          { _id: 1 },
        ).lean()),
      ]
        .map((d) => d._id)
        .sort();
    expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent, { minAgeMs: 60_000 })).toEqual({
      relayed: 0,
      more: false,
    });
    // A customer's follow-up is its writer's own (cheap, run in the API): it waits like the order whose events are not out.
    expect(await pending()).toEqual(['customer-follow-up-only', 'order-events-waiting']);
    expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent)).toEqual({ relayed: 1, more: false });
    expect(await pending()).toEqual([]);
  });

  it('dispatches by scan only events older than the age limit', async () => {
    const at = (ms: number) => new Date(Date.now() - ms);
    const young = { ...raiseEvent('customer.order.created', { type: 'order', id: 'scan-young' }, {}, 'scan-c', at(0)) };
    const aged = {
      ...raiseEvent('customer.order.created', { type: 'order', id: 'scan-old' }, {}, 'scan-c', at(120_000)),
    };
    await t.ctx.models.DomainEvent.insertMany([young, aged]);
    const target = { Event: t.ctx.models.DomainEvent, temporal: t.ctx.temporal, taskQueue: t.ctx.taskQueue };
    await dispatchEvents(target, { minAgeMs: 60_000 });
    expect((await t.ctx.models.DomainEvent.findById(aged._id).lean())?.dispatched_at).toBeDefined();
    expect((await t.ctx.models.DomainEvent.findById(young._id).lean())?.dispatched_at).toBeUndefined();
    await dispatchEvents(target);
    expect((await t.ctx.models.DomainEvent.findById(young._id).lean())?.dispatched_at).toBeDefined();
  });
});

describe('event flow at shutdown', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('evstop');
  });
  afterAll(() => t.close());

  it('copies the documents raised while copies run together, in fewer inserts than documents, and dispatches every event', async () => {
    const now = new Date();
    const ids = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
    await t.ctx.models.Customer.collection.insertMany(ids.map((id) => customerWithPendingEvent(id, now)) as never[]);
    // A pass-through spy: the events still go to the real database; only the number of insert round trips is counted.
    const inserts = jest.spyOn(t.ctx.models.DomainEvent.collection, 'insertMany');
    try {
      for (const id of ids) t.ctx.events.raised('customers', id);
      await eventually(
        async () => {
          const docs = await t.ctx.models.DomainEvent.find({ customer_id: { $in: ids } }, { dispatched_at: 1 }).lean();
          return docs.length === ids.length && docs.every((d) => d.dispatched_at) ? docs : undefined;
        },
        15_000,
        'burst events dispatched',
      );
      // The first four raises each start a copy of their one document; the 36 raised meanwhile go in the next copies, a few at most.
      expect(inserts.mock.calls.length).toBeGreaterThanOrEqual(5);
      expect(inserts.mock.calls.length).toBeLessThanOrEqual(8);
    } finally {
      inserts.mockRestore();
    }
  });

  it('lets running relays end and dispatch, leaves queued ones to the sweep, and logs no failure for them', async () => {
    const now = new Date();
    const ids = Array.from({ length: 40 }, (_, i) => `stop-${i}`);
    await t.ctx.models.Customer.collection.insertMany(ids.map((id) => customerWithPendingEvent(id, now)) as never[]);
    // 4 copies run at once, each started by one raise with its one document; the other 36 wait in the queue when the stop comes.
    for (const id of ids) t.ctx.events.raised('customers', id);
    await t.ctx.events.stop();
    const copied = await t.ctx.models.DomainEvent.find({ customer_id: { $in: ids } }).lean();
    expect(copied).toHaveLength(4);
    expect(copied.every((e) => e.dispatched_at)).toBe(true);
    expect(await t.ctx.models.Customer.countDocuments({ _id: { $in: ids }, '_outbox.0': { $exists: true } })).toBe(36);
    expect(t.logs.text).not.toMatch(/relay (follow-up )?failed/);
    // A raise after the stop starts nothing.
    t.ctx.events.raised('customers', 'stop-0');
    expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent)).toEqual({ relayed: 36, more: false });
    expect(await t.ctx.models.Customer.countDocuments({ _id: { $in: ids }, outbox_pending: true })).toBe(0);
  });
});

/** A customer document whose outbox holds one event not yet copied, as a write leaves it. */
function customerWithPendingEvent(id: string, now: Date) {
  return {
    _id: id,
    source_id_key: id,
    version: 1,
    created_at: now,
    updated_at: now,
    _outbox: [raiseEvent('customer.segment.entered', { type: 'customer', id }, {}, id, now)],
    outbox_pending: true,
  };
}

/** The worker's role, which `startWorker` gives a process through `EventFlow.startPump`. */
describe('event flow of a process running the pump', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('evpump');
  });
  afterAll(async () => {
    await t.ctx.events.stopPump();
    await t.close();
  });

  const orderSummary = async (sourceId: string) =>
    ((await t.ctx.customers.findBySourceId(sourceId))?.summary?.orders as { total_count?: number } | undefined)
      ?.total_count;

  const paidOrder = (n: number) =>
    t.ctx.orders.upsert({
      source_id: `pumped-${n}`,
      amount: 1000,
      status: 'PAID',
      customer: { source_id: `pumped-customer-${n}` },
    });

  it('runs the follow-ups itself while it has a pump, and leaves them to the pump again once it is stopped', async () => {
    const pump = t.ctx.events.startPump();
    expect(t.ctx.events.startPump()).toBe(pump);
    expect(t.ctx.events.pump).toBe(pump);
    // With the sweep stopped, only this flow can refresh the summary: it does so because the process has a pump.
    await pump.stop();
    const during = await paidOrder(1);
    await eventually(
      async () => ((await t.ctx.models.Order.findById(during._id).lean())?.outbox_pending ? undefined : true),
      15_000,
      "the order's follow-up",
    );
    expect(await orderSummary('pumped-customer-1')).toBe(1);

    await t.ctx.events.stopPump();
    expect(t.ctx.events.pump).toBeUndefined();
    const after = await paidOrder(2);
    await eventually(
      async () => {
        const docs = await t.ctx.models.DomainEvent.find({ 'source.id': after._id }).lean();
        return docs.length === 2 && docs.every((d) => d.dispatched_at) ? docs : undefined;
      },
      15_000,
      'order events dispatched',
    );
    expect((await t.ctx.models.Order.findById(after._id).lean())?.outbox_pending).toBe(true);
    expect(await orderSummary('pumped-customer-2')).toBeUndefined();
  });
});
