import { ensureSegmentRefreshSchedule, segmentRefreshScheduleId } from '../../src/temporal/schedules';
import { eventually } from '../helpers/sdk';
import { useServiceHarness } from '../helpers/harness';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

describe('time-relative segments on a Temporal Schedule', () => {
  const h = useServiceHarness('segtime');

  const scheduleId = () => segmentRefreshScheduleId(h.t.ctx.taskQueue);
  const countEvents = (customerId: string, type: string, segmentId: string) =>
    h.t.ctx.models.DomainEvent.countDocuments({ customer_id: customerId, type, 'data.segment.id': segmentId });
  const membersOf = async (segmentId: string) =>
    (await h.t.ctx.models.Customer.find({ segments: segmentId }, { _id: 1 }).lean()).map((c) => c._id).sort();
  /** "Time passes": the stored date moves, bypassing the service, as if the calendar had moved instead; nothing re-evaluates the customer. */
  const age = (customerId: string, lastVisit: string) =>
    h.t.ctx.models.Customer.updateOne(
      { _id: customerId },
      { $set: { 'metadata.last_visit': lastVisit } },
      { timestamps: false },
    );

  it('is created by the worker, daily by default, and follows a changed interval', async () => {
    const handle = h.t.ctx.temporal.schedule.getHandle(scheduleId());
    const desc = await handle.describe();
    expect(desc.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'segmentTimeRefreshWorkflow',
      taskQueue: h.t.ctx.taskQueue,
    });
    expect(desc.spec.intervals?.map((i) => i.every)).toEqual([DAY]);
    await ensureSegmentRefreshSchedule(h.t.ctx.temporal, h.t.ctx.taskQueue, 3600, h.t.ctx.logger);
    expect((await handle.describe()).spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
  });

  it('moves customers in and out of a date-dependent segment when the schedule runs, raising each change once', async () => {
    const segment = await h.sdk.client.segments.create({
      name: 'Lapsed',
      type: 'auto-update',
      filter: { junction: 'and', 'metadata.last_visit': { conditions: { $more_than: [30] } } },
    } as never);
    const plain = await h.sdk.client.segments.create({
      name: 'Gold',
      type: 'auto-update',
      filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } },
    } as never);
    for (const id of [segment.id, plain.id])
      await eventually(
        async () => ((await h.t.ctx.models.Segment.findById(id).lean())?.sync_status === 'synced' ? true : undefined),
        30_000,
        'segment synced',
      );

    const recent = await h.sdk.createCustomer({ source_id: 'recent-visitor', metadata: { last_visit: daysAgo(10) } });
    const lapsed = await h.sdk.createCustomer({ source_id: 'lapsed-visitor', metadata: { last_visit: daysAgo(40) } });
    expect(await membersOf(segment.id)).toEqual([lapsed.id]);

    await age(recent.id, daysAgo(31));
    await age(lapsed.id, daysAgo(5));
    // Only customers the date moved are written: one whose stale membership is in a segment not depending on the date is left alone.
    const untouched = await h.sdk.createCustomer({ source_id: 'steady-visitor', metadata: { last_visit: daysAgo(3) } });
    await h.t.ctx.models.Customer.updateOne(
      { _id: untouched.id },
      { $set: { 'metadata.tier': 'gold' } },
      { timestamps: false },
    );
    const untouchedVersion = (await h.t.ctx.models.Customer.findById(untouched.id).lean())!.version;
    expect(await membersOf(segment.id)).toEqual([lapsed.id]);

    const handle = h.t.ctx.temporal.schedule.getHandle(scheduleId());
    await handle.trigger();
    await eventually(
      async () =>
        (await countEvents(recent.id, 'customer.segment.entered', segment.id)) === 1 &&
        (await countEvents(lapsed.id, 'customer.segment.left', segment.id)) === 1
          ? true
          : undefined,
      30_000,
      'entered and left',
    );
    expect(await membersOf(segment.id)).toEqual([recent.id]);

    // Running again changes nothing and raises nothing more.
    const runsBefore = (await handle.describe()).info.recentActions.length;
    await handle.trigger();
    await eventually(
      async () => {
        const info = (await handle.describe()).info;
        return info.recentActions.length > runsBefore && info.runningActions.length === 0 ? true : undefined;
      },
      30_000,
      'second run finished',
    );
    expect(await countEvents(recent.id, 'customer.segment.entered', segment.id)).toBe(1);
    expect(await countEvents(lapsed.id, 'customer.segment.left', segment.id)).toBe(1);
    expect(await countEvents(lapsed.id, 'customer.segment.entered', segment.id)).toBe(1);
    expect((await h.t.ctx.models.Customer.findById(untouched.id).lean())!.version).toBe(untouchedVersion);
    expect(await membersOf(plain.id)).toEqual([]);
  });
});
