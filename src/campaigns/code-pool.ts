import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { VoucherDoc, VoucherModel } from '../models/voucher';
import { onlyDuplicateKeys } from '../db/duplicate-key';
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
export async function addVouchers(
  models: Models,
  campaign: CampaignDoc,
  count: number,
  onBatch?: (inserted: number) => void,
): Promise<number> {
  const poolSize = () => models.Voucher.countDocuments({ campaign_id: campaign._id });
  // After a collision servers disagree on what they report as inserted, so the pool is counted instead.
  const before = await poolSize();
  let inserted = 0;
  let fruitless = 0;
  while (inserted < count && fruitless < MAX_FRUITLESS_ROUNDS) {
    const now = new Date();
    const codes = generateCodes(campaign.voucher.code_config, Math.min(BATCH, count - inserted));
    const first = await reserveSeqs(models, campaign._id, codes.length);
    const docs = codes.map((code, i) =>
      voucherFromTemplate(campaign, code, now, first === undefined ? undefined : first + i),
    );
    const reported = await insertIgnoringDuplicates(models, docs);
    const previous = inserted;
    inserted = reported !== undefined ? inserted + reported : Math.max(inserted, (await poolSize()) - before);
    const gained = inserted - previous;
    fruitless = gained === 0 ? fruitless + 1 : 0;
    if (gained > 0)
      await models.Campaign.updateOne(
        { _id: campaign._id },
        { $inc: { generated_count: gained } },
        { timestamps: false },
      );
    onBatch?.(inserted);
    if (!(await models.Campaign.exists({ _id: campaign._id }))) {
      // Deleted while generating: drop the free codes made after the delete swept them.
      await models.Voucher.deleteMany({ campaign_id: campaign._id, holder_id: { $exists: false } });
      break;
    }
  }
  return inserted;
}

/**
 * Adds one code chosen by the caller to the pool. The unique index on `code` refuses a code
 * that exists anywhere: `false` then. `undefined` when the campaign is gone.
 */
export async function addVoucherCode(
  models: Models,
  campaign: CampaignDoc,
  code: string,
): Promise<VoucherDoc | false | undefined> {
  const seq = await reserveSeqs(models, campaign._id, 1);
  if (seq === undefined) return undefined;
  const doc = voucherFromTemplate(campaign, code, new Date(), seq);
  if ((await insertIgnoringDuplicates(models, [doc])) === undefined) return false;
  await models.Campaign.updateOne(
    { _id: campaign._id },
    { $inc: { generated_count: 1, vouchers_count: 1 } },
    { timestamps: false },
  );
  return doc;
}

/**
 * Reserves `count` consecutive `seq` numbers for new codes in one `$inc`, so concurrent
 * generation (AUTO_UPDATE growth racing the initial fill) never reuses a number. A number
 * whose code is dropped as a duplicate is a gap the claim cursor steps over.
 * `undefined` once the campaign is gone.
 */
async function reserveSeqs(models: Models, campaignId: string, count: number): Promise<number | undefined> {
  const updated = await models.Campaign.findOneAndUpdate(
    { _id: campaignId },
    { $inc: { seq_reserved: count } },
    { returnDocument: 'after', projection: { seq_reserved: 1 }, timestamps: false },
  ).lean();
  return updated?.seq_reserved === undefined ? undefined : updated.seq_reserved - count + 1;
}

function voucherFromTemplate(campaign: CampaignDoc, code: string, now: Date, seq: number | undefined): VoucherDoc {
  const { type, discount, gift, loyalty_card, redemption } = campaign.voucher as {
    type: string;
    discount?: Record<string, unknown>;
    gift?: Record<string, unknown>;
    loyalty_card?: Record<string, unknown>;
    redemption?: { quantity?: number | null };
  };
  return {
    _id: newId('v'),
    code,
    campaign_id: campaign._id,
    ...(seq === undefined ? {} : { seq }),
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
    const result = await models.Voucher.collection.insertMany(
      docs as unknown as Parameters<typeof models.Voucher.collection.insertMany>[0],
      { ordered: false },
    );
    return result.insertedCount;
  } catch (err) {
    if (!onlyDuplicateKeys(err)) throw err;
    return undefined;
  }
}

/** Seq numbers in a row that may name no claimable code (disabled, or lost to a collision) before searching instead. */
const MAX_SEQ_MISSES = 50;

/**
 * Claims a free code of the campaign for a publication: one conditional update, atomic on
 * MongoDB, so concurrent publications never share a code. A retry of the same publication
 * finds the code it already claimed; a publication created by this very call (`fresh`) cannot
 * have one, which saves a search of the pool. `undefined` when the pool is empty.
 *
 * The hot path takes the campaign's next `seq` (a `$inc` on the campaign by `_id`) and claims
 * that code by its unique `{campaign_id, seq}` key, so no claim searches the pool. Codes the
 * cursor has passed but could not take (disabled, released back, or claimed by a search) are
 * found by the search once the cursor reaches the end of the pool.
 */
export async function claimVoucher(
  models: Models,
  campaign: CampaignDoc,
  publicationId: string,
  customerId: string,
  { fresh = false }: { fresh?: boolean } = {},
): Promise<VoucherDoc | undefined> {
  if (!fresh) {
    const mine = await models.Voucher.findOne({ publication_id: publicationId }).lean();
    if (mine) return mine;
  }
  const now = new Date();
  let limit = campaign.seq_reserved ?? 0;
  let refreshed = false;
  for (let misses = 0; misses < MAX_SEQ_MISSES; ) {
    const seq = await nextClaimSeq(models, campaign._id, limit);
    if (seq === undefined) {
      // The pool may have grown since `campaign` was read: look once more before searching.
      if (refreshed) break;
      refreshed = true;
      const fresher = await models.Campaign.findById(campaign._id, { seq_reserved: 1 }).lean();
      if ((fresher?.seq_reserved ?? 0) <= limit) break;
      limit = fresher?.seq_reserved ?? 0;
      continue;
    }
    const claimed = await claimBySeq(models, campaign._id, seq, { publicationId, customerId }, now);
    if (claimed) return claimed;
    misses += 1;
  }
  const searched = await models.Voucher.findOneAndUpdate(
    { campaign_id: campaign._id, holder_id: { $exists: false }, active: true },
    claimUpdate({ publicationId, customerId }, now),
    { returnDocument: 'after' },
  ).lean();
  return searched ?? undefined;
}

/** With its own `updated_at`: the batch path writes it on the native driver, where mongoose adds none. */
function claimUpdate({ publicationId, customerId }: ClaimRequest, now: Date) {
  return { $set: { holder_id: customerId, publication_id: publicationId, published_at: now, updated_at: now } };
}

/** The code at `seq`, by its unique key, while it is still free and active. */
function claimFilter(campaignId: string, seq: number) {
  return { campaign_id: campaignId, seq, holder_id: { $exists: false }, active: true };
}

/** Claims the code at `seq`, if it is still free and active; `null` otherwise. */
function claimBySeq(models: Models, campaignId: string, seq: number, request: ClaimRequest, now: Date) {
  return models.Voucher.findOneAndUpdate(claimFilter(campaignId, seq), claimUpdate(request, now), {
    returnDocument: 'after',
  }).lean();
}

/** Advances the campaign's claim cursor by one while it is below `limit`; the seq taken, or `undefined` at the end. */
async function nextClaimSeq(models: Models, campaignId: string, limit: number): Promise<number | undefined> {
  if (limit <= 0) return undefined;
  const updated = await models.Campaign.findOneAndUpdate(
    { _id: campaignId, $or: [{ claim_seq: { $lt: limit } }, { claim_seq: { $exists: false } }] },
    { $inc: { claim_seq: 1 } },
    { returnDocument: 'after', projection: { claim_seq: 1 }, timestamps: false },
  ).lean();
  return updated?.claim_seq;
}

/** Gives a code back to the pool: a publication that lost a race for its slot returns the code it claimed. */
export async function releaseVoucher(models: Models, voucherId: string, publicationId: string): Promise<void> {
  await models.Voucher.updateOne(
    { _id: voucherId, publication_id: publicationId },
    { $unset: { holder_id: 1, publication_id: 1, published_at: 1 } },
  );
}

/** A publication waiting for a code, and whom it is for. */
export interface ClaimRequest {
  publicationId: string;
  customerId: string;
}

/**
 * `claimVoucher` for many publications of one campaign at once (a distribution batch): takes a
 * run of `seq` numbers with ONE compare-and-set on the campaign's cursor, claims each of those
 * codes by its unique key in ONE bulk write, and reads the claims back by publication id (an
 * indexed lookup). Every claim is still the conditional update that makes a code go to one
 * publication only. A code read back counts only at the seq this run gave that publication:
 * another attempt for the same publication (a retry beside a timed-out one) claims other seqs,
 * and its code is its own to tie or release. Publications the run could not serve (gaps,
 * disabled codes, the cursor at the end) go the single path, which searches. Returns the codes
 * claimed, by publication id; a publication missing from it found the pool empty.
 */
export async function claimVouchers(
  models: Models,
  campaign: CampaignDoc,
  requests: ClaimRequest[],
): Promise<Map<string, VoucherDoc>> {
  const claimed = new Map<string, VoucherDoc>();
  const seqs = await takeClaimSeqs(models, campaign._id, requests.length);
  const now = new Date();
  const keyed = requests.flatMap((request, i) => (seqs[i] === undefined ? [] : [{ request, seq: seqs[i]! }]));
  if (keyed.length > 0) {
    // On the native driver: a batch's claims are one of its largest writes, and mongoose's
    // casting of each update cost more CPU than the write.
    await models.Voucher.collection.bulkWrite(
      keyed.map(({ request, seq }) => ({
        updateOne: { filter: claimFilter(campaign._id, seq), update: claimUpdate(request, now) },
      })) as never,
      { ordered: false },
    );
    const seqOf = new Map(keyed.map(({ request, seq }) => [request.publicationId, seq]));
    for (const voucher of await models.Voucher.find({ publication_id: { $in: [...seqOf.keys()] } }).lean()) {
      if (voucher.campaign_id === campaign._id && voucher.seq === seqOf.get(voucher.publication_id!))
        claimed.set(voucher.publication_id!, voucher);
    }
  }
  for (const request of requests) {
    if (claimed.has(request.publicationId)) continue;
    const voucher = await claimVoucher(models, campaign, request.publicationId, request.customerId, { fresh: true });
    if (!voucher) break;
    claimed.set(request.publicationId, voucher);
  }
  return claimed;
}

/**
 * Moves the campaign's claim cursor forward by up to `count` in one compare-and-set and
 * returns the numbers passed over; fewer (or none) near the end of the pool. The cursor never
 * passes `seq_reserved`, so codes added later are still reached by it.
 */
async function takeClaimSeqs(models: Models, campaignId: string, count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cursor = await models.Campaign.findById(campaignId, { claim_seq: 1, seq_reserved: 1 }).lean();
    if (!cursor) return [];
    const from = cursor.claim_seq ?? 0;
    const take = Math.min(count, (cursor.seq_reserved ?? 0) - from);
    if (take <= 0) return [];
    const { modifiedCount } = await models.Campaign.updateOne(
      { _id: campaignId, claim_seq: cursor.claim_seq === undefined ? { $exists: false } : from },
      { $inc: { claim_seq: take } },
      { timestamps: false },
    );
    if (modifiedCount === 1) return Array.from({ length: take }, (_, i) => from + 1 + i);
  }
  // Lost the race ten times in a row: let the single path serve these one by one.
  return [];
}

/** Codes of a campaign's pool no customer holds yet, counted on the (campaign_id, holder_id) index. */
export function countFreeCodes(Voucher: VoucherModel, campaignId: string): Promise<number> {
  return Voucher.countDocuments({ campaign_id: campaignId, holder_id: null });
}
