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
    await col.insertMany(
      Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}`, a: 'x', b: i, status: i % 2 ? 'sent' : 'queued' })),
    );

    expect(await col.findOne({ _id: 'd1', status: 'queued' })).toBeNull();
    expect((await col.findOne({ _id: 'd2', status: 'queued' }))?._id).toBe('d2');
    expect(await col.findOne({ a: 'x', b: 3, status: 'queued' })).toBeNull();
    expect((await col.findOne({ a: 'x', b: 4, status: { $in: ['queued'] } }))?._id).toBe('d4');
    expect(await col.countDocuments({ _id: { $in: ['d1', 'd2', 'd3'] }, status: 'sent' })).toBe(2);

    expect((await col.updateOne({ _id: 'd5', status: 'queued' }, { $set: { status: 'failed' } })).modifiedCount).toBe(
      0,
    );
    expect((await col.updateOne({ _id: 'd6', status: 'queued' }, { $set: { status: 'sent' } })).modifiedCount).toBe(1);
    expect(
      (await col.findOneAndUpdate({ a: 'x', b: 6, status: 'queued' }, { $set: { status: 'x' } })) ?? null,
    ).toBeNull();
    expect((await col.deleteOne({ a: 'x', b: 7, status: 'queued' })).deletedCount).toBe(0);
    expect((await col.deleteOne({ a: 'x', b: 8, status: 'queued' })).deletedCount).toBe(1);
    // An upsert whose extra condition fails inserts, and the unique _id refuses it as on MongoDB.
    await expect(
      col.updateOne({ _id: 'd9', status: 'queued' }, { $set: { a: 'y', b: 1 } }, { upsert: true }),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await col.countDocuments()).toBe(49);
  });
});

/**
 * The embedded server serves equality and `$in` on a non-unique index's first key from an
 * in-memory map (tools-src/mongo-java-server/src/EqualityIndex.java). A wrong map loses or
 * invents documents silently, so the same random writes go to an indexed and an unindexed
 * collection and every query must answer the same on both, on any server the suite runs on.
 */
describe('queries served by a non-unique index', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('eqidx');
  });
  afterAll(async () => t?.close());

  type Doc = { _id: string; [field: string]: unknown };
  // Values of every shape a field takes here: strings, equal numbers of different BSON types, arrays, null.
  const VALUES: unknown[] = ['a', 'b', 'c', 1, 1.0, 2, 2.5, true, false, ['a', 'b'], ['c'], [], null, { x: 'a' }];

  /** A tiny deterministic generator, so a failure replays. */
  function random(seed: number) {
    let s = seed;
    const next = () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s / 2 ** 31;
    };
    return {
      int: (n: number) => Math.floor(next() * n),
      pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    };
  }

  it('answers equality, $in, $exists: false and array-element queries as a scan does, through inserts, updates, replaces and deletes', async () => {
    const indexed = t.ctx.db.collection<Doc>('eq_indexed');
    const plain = t.ctx.db.collection<Doc>('eq_plain');
    // Documents present before the index is built must be found too.
    const early = Array.from({ length: 20 }, (_, i) => ({
      _id: `e${i}`,
      f: VALUES[i % VALUES.length],
      g: { h: VALUES[(i * 3) % VALUES.length] },
    }));
    await indexed.insertMany(early.map((d) => ({ ...d })));
    await plain.insertMany(early.map((d) => ({ ...d })));
    await indexed.createIndex({ f: 1 });
    await indexed.createIndex({ 'g.h': 1, f: 1 });
    await indexed.createIndex({ k: 1, f: -1 });

    const r = random(7);
    const both = async (op: (c: typeof indexed) => Promise<unknown>) => {
      await op(indexed);
      await op(plain);
    };
    for (let step = 0; step < 300; step++) {
      // Drawn once per step, outside the writes, so both collections get the same write.
      const id = `d${r.int(40)}`;
      const value = r.pick(VALUES);
      const k = r.pick(['p', 'q']);
      const element = r.pick(['a', 'b', 'z']);
      const removed = r.pick(['a', 'b']);
      switch (r.int(7)) {
        case 0:
          await both((c) => c.updateOne({ _id: id }, { $set: { f: value, k } }, { upsert: true }));
          break;
        case 1:
          await both((c) => c.updateOne({ _id: id }, { $set: { 'g.h': value } }, { upsert: true }));
          break;
        case 2:
          await both((c) => c.updateOne({ _id: id }, { $unset: { f: 1 } }));
          break;
        case 3:
          await both((c) => c.updateOne({ _id: id, f: { $type: 'array' } }, { $addToSet: { f: element } } as never));
          break;
        case 4:
          // Arrays only: a $pull on a scalar fails the whole updateMany part-way, at a point that depends on document order.
          await both((c) =>
            c.updateMany({ $and: [{ f: element }, { f: { $type: 'array' } }] }, { $pull: { f: removed } } as never),
          );
          break;
        case 5:
          await both((c) => c.replaceOne({ _id: id }, { f: value, k: 'p' }, { upsert: true }));
          break;
        case 6:
          await both((c) => c.deleteOne({ _id: id }));
          break;
      }
      if (step % 25 !== 24) continue;
      const queries: Array<Record<string, unknown>> = [
        ...['a', 'b', 'c', 'z', 1, 2, 2.5, true, false].map((v) => ({ f: v })),
        { f: { $in: ['a', 2] } },
        { f: { $in: [1, 'c', false] } },
        { 'g.h': 'a' },
        { 'g.h': { $in: [1, 'b'] }, f: { $exists: true } },
        { k: 'p', f: 'a' },
        { k: { $in: ['p', 'q'] } },
        { f: null },
        { f: { $exists: false } },
        { k: { $exists: false }, f: 'a' },
        { 'g.h': { $exists: false } },
      ];
      for (const query of queries) {
        const ids = async (c: typeof indexed) =>
          (await c.find(query, { projection: { _id: 1 } }).toArray()).map((d) => d._id).sort();
        expect({ query, ids: await ids(indexed) }).toEqual({ query, ids: await ids(plain) });
        expect(await indexed.countDocuments(query)).toBe(await plain.countDocuments(query));
      }
    }
    // A delete by an indexed value removes exactly what a scan would.
    await both((c) => c.deleteMany({ f: 'a' }));
    expect(await indexed.countDocuments()).toBe(await plain.countDocuments());
    expect(await indexed.countDocuments({ f: 'a' })).toBe(0);
  });
});
