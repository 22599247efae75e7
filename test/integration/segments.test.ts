import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { segmentSyncWorkflowId } from '../../workflows/contracts/segment-sync';
import { eventually } from '../helpers/sdk';
import { useServiceHarness } from '../helpers/harness';

describe('segments, their sync workflow and entered/left events', () => {
  const h = useServiceHarness('segments');

  const synced = (id: string) =>
    eventually(
      async () => {
        const s = await h.sdk.client.segments.get(id);
        return (s as { sync_status?: string }).sync_status === 'synced'
          ? (s as typeof s & { size: number })
          : undefined;
      },
      30_000,
      `segment ${id} synced`,
    );

  const eventsOf = async (customerId: string, type: string) =>
    (await h.t.ctx.models.DomainEvent.find({ customer_id: customerId, type }).lean()).length;

  it('syncs a new auto-update segment over existing customers silently, then tracks a metadata change with one entered and one left event', async () => {
    const gold = await h.sdk.createCustomer({ source_id: 'seg-gold', metadata: { tier: 'gold' } });
    const plain = await h.sdk.createCustomer({ source_id: 'seg-plain', metadata: { tier: 'silver' } });

    const segment = await h.sdk.client.segments.create({
      name: 'Gold tier',
      type: 'auto-update',
      filter: { junction: 'AND', 'metadata.tier': { conditions: { $is: ['gold'] } } },
    } as never);
    expect(segment).toMatchObject({ object: 'segment', type: 'auto-update', initial_sync_status: 'IN_PROGRESS' });
    const done = await synced(segment.id);
    expect(done).toMatchObject({ size: 1, initial_sync_status: 'DONE' });
    expect((await h.sdk.client.segments.list(gold.id)).data.map((s: { id: string }) => s.id)).toEqual([segment.id]);
    expect(await eventsOf(gold.id, 'customer.segment.entered')).toBe(0);

    await h.sdk.updateCustomer({ id: plain.id, metadata: { tier: 'gold' } });
    await h.sdk.updateCustomer({ id: plain.id, metadata: { note: 'unrelated change' } });
    await eventually(
      async () => ((await eventsOf(plain.id, 'customer.segment.entered')) === 1 ? true : undefined),
      5_000,
      'entered event',
    );
    const members = await h.sdk.client.customers.list({ segment_id: segment.id } as never);
    expect(members.customers.map((c) => c.id).sort()).toEqual([gold.id, plain.id].sort());

    await h.sdk.updateCustomer({ id: plain.id, metadata: { tier: 'bronze' } });
    await eventually(
      async () => ((await eventsOf(plain.id, 'customer.segment.left')) === 1 ? true : undefined),
      5_000,
      'left event',
    );
    expect(await eventsOf(plain.id, 'customer.segment.entered')).toBe(1);

    const entered = await h.t.ctx.models.DomainEvent.findOne({
      customer_id: plain.id,
      type: 'customer.segment.entered',
    }).lean();
    expect(entered?.data).toMatchObject({
      customer: { id: plain.id, source_id: 'seg-plain', object: 'customer' },
      segment: { id: segment.id, name: 'Gold tier', object: 'segment' },
    });
    // Every event reaches Temporal: the router workflow marks it routed.
    await eventually(
      async () =>
        (await h.t.ctx.models.DomainEvent.countDocuments({ customer_id: plain.id, routed_at: { $exists: false } })) ===
        0
          ? true
          : undefined,
      15_000,
      'events routed',
    );
  });

  it('records left when a member is deleted, and a new customer that matches enters', async () => {
    const segment = await h.sdk.client.segments.create({
      name: 'Romans',
      type: 'auto-update',
      filter: { junction: 'and', 'address.city': { conditions: { $is: ['Rome'] } } },
    } as never);
    await synced(segment.id);
    const roman = await h.sdk.createCustomer({ source_id: 'roman', address: { city: 'Rome' } });
    await eventually(
      async () => ((await eventsOf(roman.id, 'customer.segment.entered')) > 0 ? true : undefined),
      5_000,
      'entered on create',
    );
    const entered = await h.t.ctx.models.DomainEvent.findOne({
      customer_id: roman.id,
      type: 'customer.segment.entered',
    }).lean();
    expect(entered?.data).toMatchObject({
      customer: { id: roman.id, source_id: 'roman' },
      segment: { id: segment.id, name: 'Romans' },
    });
    expect((await h.t.ctx.models.Customer.findById(roman.id).lean())?.segments).toContain(segment.id);

    await h.sdk.client.customers.delete(roman.id);
    await eventually(
      async () => ((await eventsOf(roman.id, 'customer.segment.left')) > 0 ? true : undefined),
      5_000,
      'left on delete',
    );
    await eventually(
      async () => ((await h.t.ctx.models.Customer.countDocuments({ _id: roman.id })) === 0 ? true : undefined),
      5_000,
      'deleted document removed',
    );
    // Once each: neither event is raised twice for one entry or one deletion.
    expect(await eventsOf(roman.id, 'customer.segment.entered')).toBe(1);
    expect(await eventsOf(roman.id, 'customer.segment.left')).toBe(1);
    const left = await h.t.ctx.models.DomainEvent.findOne({
      customer_id: roman.id,
      type: 'customer.segment.left',
    }).lean();
    expect(left?.data).toMatchObject({ segment: { id: segment.id } });
  });

  it('re-syncs an edited filter and lists the new members', async () => {
    for (const [id, n] of [
      ['pts-1', 5],
      ['pts-2', 50],
      ['pts-3', 500],
    ] as const)
      await h.sdk.createCustomer({ source_id: id, metadata: { points: n } });
    const created = await request(h.app)
      .post('/v1/segments')
      .set(h.t.auth)
      .send({
        name: 'Points',
        type: 'passive',
        filter: { junction: 'and', 'metadata.points': { conditions: { $more_than: [10] } } },
      });
    expect(created.status).toBe(200);
    expect((await synced(created.body.id)).size).toBe(2);
    const edited = await request(h.app)
      .put(`/v1/segments/${created.body.id}`)
      .set(h.t.auth)
      .send({ filter: { junction: 'and', 'metadata.points': { conditions: { $more_than: [100] } } } });
    expect(edited.body.sync_status).toBe('syncing');
    expect((await synced(created.body.id)).size).toBe(1);
    const members = await h.sdk.client.customers.list({ segment_id: created.body.id } as never);
    expect(members.customers.map((c) => c.source_id)).toEqual(['pts-3']);
    // Passive segments raise no events.
    const pts3 = members.customers[0]!;
    expect(await eventsOf(pts3.id, 'customer.segment.entered')).toBe(0);
  });

  it('builds a static segment from ids and source_ids, and removes memberships on delete', async () => {
    const a = await h.sdk.createCustomer({ source_id: 'static-a' });
    const b = await h.sdk.createCustomer({ source_id: 'static-b' });
    const segment = await h.sdk.client.segments.create({ name: 'VIPs', type: 'static', customers: [a.id, 'static-b'] });
    expect((await synced(segment.id)).size).toBe(2);
    expect((await h.sdk.client.segments.list(b.id)).data.map((s: { name: string }) => s.name)).toContain('VIPs');
    await h.sdk.client.segments.delete(segment.id);
    await expect(h.sdk.client.segments.get(segment.id)).rejects.toMatchObject({ code: 404 });
    await eventually(
      async () => ((await h.t.ctx.models.Customer.countDocuments({ segments: segment.id })) === 0 ? true : undefined),
      30_000,
      'memberships removed',
    );
  });

  it('starts the sync of a segment a crash left unstarted (stored, no workflow), once', async () => {
    const member = await h.sdk.createCustomer({ source_id: 'orphan-member', metadata: { orphan: 'yes' } });
    const now = new Date(Date.now() - 60_000);
    // As a create that died between its write and its workflow start leaves it.
    await h.t.ctx.models.Segment.collection.insertOne({
      _id: 'seg_orphan',
      name: 'Orphan',
      type: 'passive',
      filter: { junction: 'and', 'metadata.orphan': { conditions: { $is: ['yes'] } } },
      revision: 1,
      sync_status: 'syncing',
      size: 0,
      created_at: now,
      updated_at: now,
    } as never);
    const handle = h.t.ctx.temporal.workflow.getHandle(segmentSyncWorkflowId('seg_orphan', 1));
    await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    expect(await h.t.ctx.segments.reconcile(0)).toBeGreaterThanOrEqual(1);
    const done = await synced('seg_orphan');
    expect(done).toMatchObject({ size: 1 });
    expect((await h.sdk.client.segments.list(member.id)).data.map((s: { id: string }) => s.id)).toEqual(['seg_orphan']);
    const { runId } = await handle.describe();
    // Synced: no longer stuck, so reconciling again starts no second run.
    await h.t.ctx.segments.reconcile(0);
    expect((await handle.describe()).runId).toBe(runId);
  });

  it('refuses invalid segments with the field and reason, writing nothing', async () => {
    const bad = await request(h.app)
      .post('/v1/segments')
      .set(h.t.auth)
      .send({
        name: 'Bad',
        type: 'auto-update',
        filter: { junction: 'xor', 'metadata.a': { conditions: { $bogus: [1] } } },
      });
    expect(bad.status).toBe(400);
    expect(bad.body.key).toBe('invalid_filter');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['filter.junction', expect.stringContaining('filter.metadata.a.conditions')]),
    );
    const noList = await request(h.app).post('/v1/segments').set(h.t.auth).send({ name: 'Empty', type: 'static' });
    expect(noList.status).toBe(400);
    const unknown = await request(h.app)
      .post('/v1/segments')
      .set(h.t.auth)
      .send({ name: 'Ghosts', type: 'static', customers: ['cust_nobody'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toContain('cust_nobody');
    // By name: an earlier test's deleted segment leaves the collection asynchronously, so a total count would race.
    expect(await h.t.ctx.models.Segment.countDocuments({ name: { $in: ['Bad', 'Empty', 'Ghosts'] } })).toBe(0);
  });
});
