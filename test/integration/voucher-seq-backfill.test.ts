import { connectDatabase } from '../../src/db/connect';
import { uniqueName } from '../helpers/context';

/**
 * A database written before vouchers carried `seq` (several codes per campaign, none numbered)
 * must still start: the unique {campaign_id, seq} index is built after the codes are numbered.
 */
describe('opening a database whose vouchers have no seq', () => {
  it('numbers them per campaign from the reserved range, then builds the unique index', async () => {
    const url = process.env.TEST_MONGO_URL!;
    const name = uniqueName('seq_backfill');
    const first = await connectDatabase(url, name);
    const { models } = first;
    await models.Voucher.collection.dropIndex('campaign_id_1_seq_1');
    const now = new Date();
    await models.Campaign.collection.insertOne({
      _id: 'camp_old',
      name: 'Old',
      seq_reserved: 0,
      claim_seq: 0,
      created_at: now,
      updated_at: now,
    } as never);
    await models.Voucher.collection.insertMany(
      ['A1', 'A2', 'A3'].map((code) => ({
        _id: `v_${code}`,
        code,
        campaign_id: 'camp_old',
        active: true,
        created_at: now,
        updated_at: now,
      })) as never,
    );
    await first.db.close();

    const reopened = await connectDatabase(url, name);
    try {
      const vouchers = await reopened.models.Voucher.find({ campaign_id: 'camp_old' }).sort({ seq: 1 }).lean();
      expect(vouchers.map((v) => v.seq)).toEqual([1, 2, 3]);
      expect((await reopened.models.Campaign.findById('camp_old').lean())?.seq_reserved).toBe(3);
      const indexes = await reopened.models.Voucher.collection.indexes();
      expect(indexes.some((i) => i.name === 'campaign_id_1_seq_1' && i.unique)).toBe(true);
    } finally {
      await reopened.db.dropDatabase();
      await reopened.db.close();
    }
  });
});
