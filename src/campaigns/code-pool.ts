import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { VoucherDoc } from '../models/voucher';
import { generateCodes } from './code-config';

const BATCH = 1_000;
/** Rounds in a row that add nothing before the code space counts as exhausted. */
const MAX_FRUITLESS_ROUNDS = 5;

/**
 * Adds `count` new codes to a campaign's pool. Codes are drawn at random and inserted
 * unordered: the unique index on `code` drops collisions, and the loop draws again until
 * enough were inserted, so generation survives collisions without checking first.
 * Returns how many were inserted (fewer only when the code space is exhausted).
 */
export async function addVouchers(models: Models, campaign: CampaignDoc, count: number, onBatch?: (inserted: number) => void): Promise<number> {
  const poolSize = () => models.Voucher.countDocuments({ campaign_id: campaign._id });
  // After a collision servers disagree on what they report as inserted, so the pool is counted instead.
  const before = await poolSize();
  let inserted = 0;
  let fruitless = 0;
  while (inserted < count && fruitless < MAX_FRUITLESS_ROUNDS) {
    const now = new Date();
    const docs = generateCodes(campaign.voucher.code_config, Math.min(BATCH, count - inserted)).map((code) => voucherFromTemplate(campaign, code, now));
    const reported = await insertIgnoringDuplicates(models, docs);
    const previous = inserted;
    inserted = reported !== undefined ? inserted + reported : Math.max(inserted, (await poolSize()) - before);
    const gained = inserted - previous;
    fruitless = gained === 0 ? fruitless + 1 : 0;
    if (gained > 0) await models.Campaign.updateOne({ _id: campaign._id }, { $inc: { generated_count: gained } }, { timestamps: false });
    onBatch?.(inserted);
    if (!(await models.Campaign.exists({ _id: campaign._id }))) {
      // Deleted while generating: drop the free codes made after the delete swept them.
      await models.Voucher.deleteMany({ campaign_id: campaign._id, holder_id: { $exists: false } });
      break;
    }
  }
  return inserted;
}

function voucherFromTemplate(campaign: CampaignDoc, code: string, now: Date): VoucherDoc {
  const { type, discount, gift, loyalty_card, redemption } = campaign.voucher as { type: string; discount?: Record<string, unknown>; gift?: Record<string, unknown>; loyalty_card?: Record<string, unknown>; redemption?: { quantity?: number | null } };
  return {
    _id: newId('v'),
    code,
    campaign_id: campaign._id,
    type,
    ...(discount ? { discount } : {}),
    ...(gift ? { gift: { ...gift, balance: gift.amount } } : {}),
    ...(loyalty_card ? { loyalty_card: { ...loyalty_card, balance: loyalty_card.points } } : {}),
    redemption: { quantity: redemption?.quantity ?? null, redeemed_quantity: 0 },
    active: true,
    ...(campaign.start_date ? { start_date: campaign.start_date } : {}),
    ...(campaign.expiration_date ? { expiration_date: campaign.expiration_date } : {}),
    metadata: {},
    created_at: now,
    updated_at: now,
  };
}

/** How many were inserted, or `undefined` when duplicates were skipped (the count is then unreliable). */
async function insertIgnoringDuplicates(models: Models, docs: VoucherDoc[]): Promise<number | undefined> {
  try {
    // The driver types collections with ObjectId ids; ours are strings.
    const result = await models.Voucher.collection.insertMany(docs as unknown as Parameters<typeof models.Voucher.collection.insertMany>[0], { ordered: false });
    return result.insertedCount;
  } catch (err) {
    const bulk = err as { code?: number; writeErrors?: Array<{ code?: number }> | { code?: number }; result?: { insertedCount?: number } };
    const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : bulk.writeErrors ? [bulk.writeErrors] : [];
    if (bulk.code !== 11000 && (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000))) throw err;
    return undefined;
  }
}

/**
 * Claims a free code of the campaign for a publication: one conditional update, atomic on
 * MongoDB, so concurrent publications never share a code. A retry of the same publication
 * finds the code it already claimed. `undefined` when the pool is empty.
 */
export async function claimVoucher(models: Models, campaign: CampaignDoc, publicationId: string, customerId: string): Promise<VoucherDoc | undefined> {
  const mine = await models.Voucher.findOne({ publication_id: publicationId }).lean();
  if (mine) return mine;
  const claimed = await models.Voucher.findOneAndUpdate(
    { campaign_id: campaign._id, holder_id: { $exists: false }, active: true },
    { $set: { holder_id: customerId, publication_id: publicationId, published_at: new Date() } },
    { returnDocument: 'after' },
  ).lean();
  return claimed ?? undefined;
}

/** Gives a code back to the pool: a publication that lost a race for its slot returns the code it claimed. */
export async function releaseVoucher(models: Models, voucherId: string, publicationId: string): Promise<void> {
  await models.Voucher.updateOne({ _id: voucherId, publication_id: publicationId }, { $unset: { holder_id: 1, publication_id: 1, published_at: 1 } });
}
