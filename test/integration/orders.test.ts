import request from 'supertest';
import type { Express } from 'express';
import { finishRelays } from '../../src/events/relay';
import { OrderSummaries } from '../../src/orders/order-summary';
import { createApp } from '../../src/http/app';
import { startWorker, type Stoppable } from '../../src/runtime';
import { sweepOutboxes } from '../../src/events/relay';
import { createTestContext, type TestContext } from '../helpers/context';
import { eventually, listenWithSdk } from '../helpers/sdk';

interface OrderBody {
  id: string;
  source_id: string | null;
  status: string;
  amount?: number;
  total_amount?: number;
  customer_id: string | null;
  [field: string]: unknown;
}

describe('orders through the Voucherify SDK', () => {
  let t: TestContext;
  let app: Express;
  let sdk: Awaited<ReturnType<typeof listenWithSdk>>;
  beforeAll(async () => {
    t = await createTestContext('orders');
    app = createApp(t.ctx);
    sdk = await listenWithSdk(app, t.auth);
  });
  afterAll(async () => {
    await sdk.close();
    await t.close();
  });

  const count = (customerId: string, type: string) =>
    t.ctx.models.DomainEvent.countDocuments({ customer_id: customerId, type });

  /**
   * Waits until the order's events and the customer writes they caused are all in `events`, so
   * counts are final. This process has no pump, so it sweeps as a worker's pump would: the
   * order's follow-up (the customer's summary) is left to the pump.
   */
  const settled = (orderId: string, customerId: string) =>
    eventually(
      async () => {
        await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent, { minAgeMs: 5_000 });
        const order = await t.ctx.models.Order.findById(orderId, { outbox_pending: 1 }).lean();
        const customer = await t.ctx.models.Customer.findById(customerId, { outbox_pending: 1 }).lean();
        return !order?.outbox_pending && !customer?.outbox_pending ? true : undefined;
      },
      5_000,
      `order ${orderId} relayed`,
    );

  const ordersSummary = async (customerId: string) =>
    (
      (await request(app).get(`/v1/customers/${customerId}`).set(t.auth)).body as {
        summary: { orders: Record<string, unknown> };
      }
    ).summary.orders;

  it('creates an order with its customer, computes the amounts, and raises one customer.order.created', async () => {
    const created = (await sdk.client.orders.create({
      source_id: 'order-1',
      customer: { source_id: 'buyer-1', email: 'buyer1@example.com', name: 'Buyer One' },
      items: [
        { sku_id: 'sku_a', quantity: 2, price: 1500 },
        { product_id: 'prod_b', quantity: 1, price: 1000, discount_amount: 200 },
      ],
      discount_amount: 300,
      metadata: { channel: 'web' },
    })) as unknown as OrderBody;
    expect(created).toMatchObject({
      id: expect.stringMatching(/^ord_/),
      source_id: 'order-1',
      status: 'CREATED',
      amount: 4000,
      initial_amount: 4000,
      discount_amount: 300,
      items_discount_amount: 200,
      total_discount_amount: 500,
      total_amount: 3500,
      metadata: { channel: 'web' },
      customer: { id: expect.stringMatching(/^cust_/), object: 'customer' },
      object: 'order',
    });
    expect((created.items as Array<{ amount: number; object: string }>).map((i) => [i.amount, i.object])).toEqual([
      [3000, 'order_item'],
      [1000, 'order_item'],
    ]);

    const customer = (await sdk.client.customers.get('buyer-1')) as { id: string; email: string };
    expect(customer).toMatchObject({ id: created.customer_id, email: 'buyer1@example.com' });
    expect(await sdk.client.orders.get(created.id)).toEqual(created);
    expect(await sdk.client.orders.get('order-1')).toEqual(created);

    await settled(created.id, customer.id);
    expect(await count(customer.id, 'customer.order.created')).toBe(1);
    expect(await count(customer.id, 'customer.order.updated')).toBe(0);
    const event = await t.ctx.models.DomainEvent.findOne({
      customer_id: customer.id,
      type: 'customer.order.created',
    }).lean();
    expect(event).toMatchObject({
      source: { type: 'order', id: created.id },
      data: {
        customer: { id: customer.id, source_id: 'buyer-1', object: 'customer' },
        order: { id: created.id, status: 'CREATED', total_amount: 3500 },
      },
    });
    // A cart is not a purchase: the summary ignores CREATED orders.
    expect(await ordersSummary(customer.id)).toMatchObject({ total_count: 0, total_amount: 0 });
  });

  it('takes the customer as a string: an existing id or source_id is only read, a new source_id creates one', async () => {
    const buyer = await t.ctx.models.Customer.findOne({ source_id: 'buyer-1' }).lean();
    const bySourceId = await request(app)
      .post('/v1/orders')
      .set(t.auth)
      .send({ source_id: 'order-str-1', customer: 'buyer-1', amount: 10 });
    const byId = await request(app)
      .post('/v1/orders')
      .set(t.auth)
      .send({ source_id: 'order-str-2', customer_id: buyer!._id, amount: 10 });
    expect([bySourceId.body.customer_id, byId.body.customer_id]).toEqual([buyer!._id, buyer!._id]);
    expect((await t.ctx.models.Customer.findById(buyer!._id).lean())?.version).toBe(buyer!.version);

    const fresh = await request(app)
      .post('/v1/orders')
      .set(t.auth)
      .send({ source_id: 'order-str-3', customer: 'walk-in' });
    expect((await sdk.client.customers.get('walk-in')) as { id: string }).toMatchObject({ id: fresh.body.customer_id });

    const conflicting = await request(app)
      .post('/v1/orders')
      .set(t.auth)
      .send({ source_id: 'order-str-4', customer: 'walk-in', customer_id: buyer!._id });
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.errors).toEqual([{ field: 'customer_id', reason: expect.any(String) }]);
  });

  it('pays, repeats, fulfils and cancels an order with exactly one event per real change, and keeps summary.orders right', async () => {
    const created = (await sdk.client.orders.create({
      source_id: 'order-2',
      customer: { source_id: 'buyer-2' },
      amount: 2500,
    })) as unknown as OrderBody;
    const customerId = created.customer_id!;
    expect(customerId).toMatch(/^cust_/);

    const paid = (await sdk.client.orders.update({ id: created.id, status: 'PAID' })) as unknown as OrderBody;
    expect(paid).toMatchObject({ id: created.id, status: 'PAID', amount: 2500, total_amount: 2500 });
    // The same request again (e.g. a client retry) changes nothing and raises nothing.
    await sdk.client.orders.update({ id: created.id, status: 'PAID' });
    await settled(created.id, customerId);
    expect(await count(customerId, 'customer.order.paid')).toBe(1);
    expect(await count(customerId, 'customer.order.updated')).toBe(1);
    expect(await ordersSummary(customerId)).toEqual({
      total_amount: 2500,
      total_count: 1,
      average_amount: 2500,
      last_order_amount: 2500,
      last_order_date: created.created_at,
    });

    // A second paid order for the same customer, upserted by source_id through POST.
    await sdk.client.orders.create({
      source_id: 'order-3',
      customer: { source_id: 'buyer-2' },
      amount: 1500,
      status: 'PAID',
    });
    const third = (await sdk.client.orders.get('order-3')) as unknown as OrderBody;
    await settled(third.id, customerId);
    expect(await count(customerId, 'customer.order.paid')).toBe(2);
    expect(await ordersSummary(customerId)).toMatchObject({
      total_amount: 4000,
      total_count: 2,
      average_amount: 2000,
      last_order_amount: 1500,
      last_order_date: third.created_at,
    });

    await sdk.client.orders.update({ source_id: 'order-3', status: 'FULFILLED' } as never);
    await sdk.client.orders.update({ id: created.id, status: 'CANCELED' });
    await settled(created.id, customerId);
    await settled(third.id, customerId);
    expect(await count(customerId, 'customer.order.fulfilled')).toBe(1);
    expect(await count(customerId, 'customer.order.canceled')).toBe(1);
    expect(await count(customerId, 'customer.order.updated')).toBe(3);
    expect(await ordersSummary(customerId)).toMatchObject({
      total_amount: 1500,
      total_count: 1,
      last_order_amount: 1500,
    });
  });

  it('lets only one of many concurrent updates see the old status', async () => {
    const created = (await sdk.client.orders.create({
      source_id: 'order-race',
      customer: { source_id: 'racer' },
      amount: 100,
    })) as unknown as OrderBody;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => sdk.client.orders.update({ id: created.id, status: 'PAID' })),
    );
    expect(results.every((r) => r.status === 'PAID')).toBe(true);
    await settled(created.id, created.customer_id!);
    expect(await count(created.customer_id!, 'customer.order.paid')).toBe(1);
    expect(await count(created.customer_id!, 'customer.order.updated')).toBe(1);
    const stored = await t.ctx.models.Order.findById(created.id).lean();
    expect(stored?.version).toBe(1);
  });

  it('recomputes derived amounts when items change, and merges metadata', async () => {
    const created = (await sdk.client.orders.create({
      source_id: 'order-items',
      items: [{ sku_id: 'x', quantity: 1, price: 700 }],
      metadata: { a: 1, b: 2 },
    })) as unknown as OrderBody;
    expect(created).toMatchObject({ amount: 700, total_amount: 700, customer: null, customer_id: null });
    const updated = (await sdk.client.orders.update({
      id: created.id,
      items: [{ sku_id: 'x', quantity: 3, price: 700 }],
      metadata: { b: null, c: 3 },
    } as never)) as unknown as OrderBody;
    expect(updated).toMatchObject({ amount: 2100, initial_amount: 2100, total_amount: 2100, metadata: { a: 1, c: 3 } });
  });

  it('moves an order to another customer and refreshes both summaries', async () => {
    const order = (await sdk.client.orders.create({
      source_id: 'order-move',
      customer: { source_id: 'mover-a' },
      amount: 900,
      status: 'PAID',
    })) as unknown as OrderBody;
    const a = order.customer_id!;
    await settled(order.id, a);
    expect(await ordersSummary(a)).toMatchObject({ total_count: 1, total_amount: 900 });
    const moved = (await sdk.client.orders.update({
      id: order.id,
      customer: { source_id: 'mover-b' },
    } as never)) as unknown as OrderBody;
    const b = moved.customer_id!;
    expect(b).not.toBe(a);
    await settled(order.id, b);
    await settled(order.id, a);
    expect(await ordersSummary(a)).toMatchObject({ total_count: 0, total_amount: 0 });
    expect(await ordersSummary(b)).toMatchObject({ total_count: 1, total_amount: 900 });
  });

  it('relays a backlog of orders in one batch: each customer’s summary is computed once and counts every order', async () => {
    const ids: string[] = [];
    for (const [i, customer] of ['batch-a', 'batch-a', 'batch-a', 'batch-b'].entries()) {
      ids.push(
        (
          await t.ctx.orders.upsert({
            source_id: `order-batch-${i}`,
            customer: { source_id: customer },
            amount: 100 * (i + 1),
            status: 'PAID',
          })
        )._id,
      );
    }
    const [a, b] = [
      (await t.ctx.customers.findBySourceId('batch-a'))!,
      (await t.ctx.customers.findBySourceId('batch-b'))!,
    ];
    // No pump here: the four follow-ups wait, as they would behind a busy writer.
    await eventually(
      async () =>
        (await t.ctx.models.Order.countDocuments({ _id: { $in: ids }, '_outbox.0': { $exists: true } })) === 0
          ? true
          : undefined,
      5_000,
      'events copied',
    );
    const compute = jest.spyOn(OrderSummaries.prototype, 'compute');
    try {
      expect(await sweepOutboxes(t.ctx.events.sources, t.ctx.models.DomainEvent, { minAgeMs: 60_000 })).toEqual({
        relayed: 0,
        more: false,
      });
      expect(compute.mock.calls.map(([customerId]) => customerId).sort()).toEqual([a._id, b._id].sort());
    } finally {
      compute.mockRestore();
    }
    expect(await t.ctx.models.Order.countDocuments({ _id: { $in: ids }, outbox_pending: true })).toBe(0);
    expect(await ordersSummary(a._id)).toMatchObject({ total_count: 3, total_amount: 600 });
    expect(await ordersSummary(b._id)).toMatchObject({ total_count: 1, total_amount: 400 });
  });

  it('lists orders in Voucherify’s envelope, paged and ordered', async () => {
    const all = (await t.ctx.models.Order.find({}, { source_id: 1 }).sort({ created_at: 1, _id: 1 }).lean()).map(
      (o) => o.source_id,
    );
    expect(all.length).toBeGreaterThan(4);
    const first = await sdk.client.orders.list({ limit: 2, page: 1, order: 'created_at' } as never);
    expect(first).toMatchObject({ object: 'list', data_ref: 'orders', total: all.length, has_more: true });
    expect(first.orders.map((o) => o.source_id)).toEqual(all.slice(0, 2));
    const second = await sdk.client.orders.list({ limit: 2, page: 2, order: 'created_at' } as never);
    expect(second.orders.map((o) => o.source_id)).toEqual(all.slice(2, 4));
    const newest = await sdk.client.orders.list({ limit: 1 });
    expect(newest.orders.map((o) => o.source_id)).toEqual([all.at(-1)]);
    const last = await sdk.client.orders.list({ limit: 100, page: 1, order: '-updated_at' } as never);
    expect(last).toMatchObject({ total: all.length, has_more: false });
    expect(JSON.stringify(newest)).not.toContain('_outbox');
  });

  describe('bad input', () => {
    const post = (body: object) => request(app).post('/v1/orders').set(t.auth).send(body);

    it.each([
      ['an unknown status', { status: 'SHIPPED' }, 'status'],
      ['PROCESSING, which is never written', { status: 'PROCESSING' }, 'status'],
      ['an unknown field', { total_amount: 5 }, 'total_amount'],
      ['a string quantity', { items: [{ sku_id: 's', quantity: '2', price: 1 }] }, 'items.0.quantity'],
      ['a negative amount', { amount: -1 }, 'amount'],
      ['a fractional amount', { amount: 10.5 }, 'amount'],
      ['an unknown item field', { items: [{ sku_id: 's', colour: 'red' }] }, 'items.0.colour'],
      ['a bad customer field', { customer: { source_id: 'x', email: 'not-an-email' } }, 'customer.email'],
      ['a customer of the wrong type', { customer: 42 }, 'customer'],
      ['more than 500 items', { items: Array.from({ length: 501 }, () => ({ sku_id: 's' })) }, 'items'],
    ])('refuses %s with the field named, writing nothing', async (_what, body, field) => {
      const [orders, customers] = await Promise.all([
        t.ctx.models.Order.countDocuments(),
        t.ctx.models.Customer.countDocuments(),
      ]);
      const res = await post({ source_id: 'bad-order', customer: 'bad-customer', ...body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 400, key: 'invalid_payload' });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await t.ctx.models.Order.countDocuments()).toBe(orders);
      expect(await t.ctx.models.Customer.countDocuments()).toBe(customers);
    });

    it('refuses discounts larger than the amount', async () => {
      const res = await post({ source_id: 'too-much-off', amount: 100, discount_amount: 101 });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ key: 'invalid_order', errors: [{ field: 'discount_amount' }] });
      expect(await t.ctx.models.Order.countDocuments({ source_id: 'too-much-off' })).toBe(0);
    });

    it('answers 404 for unknown orders and customers, through the SDK too', async () => {
      await expect(sdk.client.orders.get('ord_missing')).rejects.toMatchObject({
        code: 404,
        key: 'not_found',
        resource_type: 'order',
      });
      await expect(sdk.client.orders.update({ id: 'ord_missing', status: 'PAID' })).rejects.toMatchObject({
        code: 404,
      });
      const res = await post({ source_id: 'ghost-customer', customer: { id: 'cust_missing' } });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ resource_type: 'customer', resource_id: 'cust_missing' });
      expect(await t.ctx.models.Order.countDocuments({ source_id: 'ghost-customer' })).toBe(0);
    });
  });
});

describe('orders feeding auto-update segments', () => {
  let t: TestContext;
  let app: Express;
  beforeAll(async () => {
    t = await createTestContext('order-segments');
    app = createApp(t.ctx);
  });
  afterAll(() => t.close());

  it('puts a customer whose order is paid into a segment on summary.orders.total_count, with one entered event', async () => {
    let worker: Stoppable | undefined;
    try {
      worker = await startWorker(t.ctx, t.temporalAddress);
      const segment = await request(app)
        .post('/v1/segments')
        .set(t.auth)
        .send({
          name: 'Buyers',
          type: 'auto-update',
          filter: { junction: 'and', 'summary.orders.total_count': { conditions: { $more_than_equal: [1] } } },
        });
      expect(segment.status).toBe(200);
      await eventually(
        async () =>
          (await t.ctx.models.Segment.findById(segment.body.id).lean())?.sync_status === 'synced' ? true : undefined,
        30_000,
        'segment synced',
      );

      const order = await request(app)
        .post('/v1/orders')
        .set(t.auth)
        .send({ source_id: 'seg-order', customer: { source_id: 'seg-buyer' }, amount: 5000 });
      expect(order.status).toBe(200);
      const customerId: string = order.body.customer_id;
      const paid = await request(app).put(`/v1/orders/${order.body.id}`).set(t.auth).send({ status: 'PAID' });
      expect(paid.body.status).toBe('PAID');

      const entered = () =>
        t.ctx.models.DomainEvent.countDocuments({ customer_id: customerId, type: 'customer.segment.entered' });
      await eventually(async () => ((await entered()) >= 1 ? true : undefined), 5_000, 'segment entered');
      const members = await request(app).get('/v1/customers').query({ segment_id: segment.body.id }).set(t.auth);
      expect(members.body.customers.map((c: { id: string }) => c.id)).toEqual([customerId]);
      expect(members.body.customers[0].summary.orders).toMatchObject({ total_count: 1, total_amount: 5000 });

      // Relaying again (as a sweep after a crash would) recomputes the same summary and writes nothing.
      const version = (await t.ctx.models.Customer.findById(customerId).lean())?.version;
      const ordersSource = t.ctx.events.sources.find((s) => s.name === 'orders')!;
      await finishRelays(ordersSource, [order.body.id]);
      expect((await t.ctx.models.Customer.findById(customerId).lean())?.version).toBe(version);
      expect(await entered()).toBe(1);
    } finally {
      await worker?.stop();
    }
  });
});
