import type { Models } from '../models';

/**
 * Gives a `seq` to vouchers generated before codes carried one, campaign by campaign from a
 * range reserved on the campaign (as generation does), so the unique `{campaign_id, seq}`
 * index can be built on an older database. Returns how many vouchers it numbered.
 */
export async function backfillVoucherSeq(models: Models): Promise<number> {
  const missing = await models.Voucher.find({ seq: { $exists: false } }, { _id: 1, campaign_id: 1 }).lean();
  const byCampaign = new Map<string, string[]>();
  for (const v of missing) byCampaign.set(v.campaign_id, [...(byCampaign.get(v.campaign_id) ?? []), v._id]);
  let numbered = 0;
  for (const [campaignId, ids] of byCampaign) {
    const campaign = await models.Campaign.findOneAndUpdate(
      { _id: campaignId },
      { $inc: { seq_reserved: ids.length } },
      { returnDocument: 'after', projection: { seq_reserved: 1 }, timestamps: false },
    ).lean();
    const first = (campaign?.seq_reserved ?? ids.length) - ids.length + 1;
    // A campaign deleted long ago still gets its orphans numbered: the index needs every voucher distinct.
    await models.Voucher.bulkWrite(
      ids.map((_id, i) => ({ updateOne: { filter: { _id }, update: { $set: { seq: first + i } } } })),
      { ordered: false },
    );
    numbered += ids.length;
  }
  return numbered;
}
