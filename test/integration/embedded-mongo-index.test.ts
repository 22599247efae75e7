import { createTestContext, type TestContext } from '../helpers/context';

/**
 * The embedded server serves a query naming more fields than a unique index through that index
 * (tools-src/mongo-java-server/src/SupersetUniqueIndex.java). These pin that the extra fields
 * still filter, on any server the suite runs against.
 */
describe('queries on more fields than a unique index', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('supidx');
  });
  afterAll(async () => t?.close());

  it('applies the extra conditions of _id and compound-key queries in find, update and delete', async () => {
    const col = t.ctx.db.collection<{ _id: string; a: string; b: number; status: string }>('superset');
    await col.createIndex({ a: 1, b: 1 }, { unique: true });
    await col.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}`, a: 'x', b: i, status: i % 2 ? 'sent' : 'queued' })));

    expect(await col.findOne({ _id: 'd1', status: 'queued' })).toBeNull();
    expect((await col.findOne({ _id: 'd2', status: 'queued' }))?._id).toBe('d2');
    expect(await col.findOne({ a: 'x', b: 3, status: 'queued' })).toBeNull();
    expect((await col.findOne({ a: 'x', b: 4, status: { $in: ['queued'] } }))?._id).toBe('d4');
    expect(await col.countDocuments({ _id: { $in: ['d1', 'd2', 'd3'] }, status: 'sent' })).toBe(2);

    expect((await col.updateOne({ _id: 'd5', status: 'queued' }, { $set: { status: 'failed' } })).modifiedCount).toBe(0);
    expect((await col.updateOne({ _id: 'd6', status: 'queued' }, { $set: { status: 'sent' } })).modifiedCount).toBe(1);
    expect((await col.findOneAndUpdate({ a: 'x', b: 6, status: 'queued' }, { $set: { status: 'x' } })) ?? null).toBeNull();
    expect((await col.deleteOne({ a: 'x', b: 7, status: 'queued' })).deletedCount).toBe(0);
    expect((await col.deleteOne({ a: 'x', b: 8, status: 'queued' })).deletedCount).toBe(1);
    // An upsert whose extra condition fails inserts, and the unique _id refuses it as on MongoDB.
    await expect(col.updateOne({ _id: 'd9', status: 'queued' }, { $set: { a: 'y', b: 1 } }, { upsert: true })).rejects.toMatchObject({ code: 11000 });
    expect(await col.countDocuments()).toBe(49);
  });
});
