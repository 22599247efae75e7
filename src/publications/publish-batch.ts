import { addVouchers, claimVouchers, releaseVoucher, type ClaimRequest } from '../campaigns/code-pool';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { withOutbox } from '../events/outbox';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { PublicationDoc } from '../models/publication';
import type { VoucherDoc } from '../models/voucher';
import { publishedEvent } from './published-event';

export interface BatchPublishRequest {
  customer: CustomerDoc;
  /** The caller's idempotency key for this customer's publication (see `PublishInput.source_id`). */
  source_id: string;
}

export interface Published {
  publication: PublicationDoc;
  voucher: VoucherDoc;
}

export interface BatchPublishResult {
  /** By customer id. A customer missing from it got no code: the STATIC pool ran out (`exhausted`). */
  published: Map<string, Published>;
  exhausted: boolean;
}

/** Rounds of inserting publications against concurrent attempts on the same keys. */
const MAX_INSERT_ROUNDS = 5;

/** Rounds of AUTO_UPDATE growth before giving up (the code space itself is full). */
const MAX_GROWTH_ROUNDS = 5;

/**
 * `PublicationService.publish` for a batch of customers of one (active) campaign, in a handful
 * of round trips instead of seven per customer: publications are looked up and inserted in
 * bulk under their unique keys, codes are claimed in one run (`claimVouchers`), and codes are
 * tied to publications in one bulk write. The guarantees are publish's: a key yields one
 * publication, a publication one code, a code one publication; a repeat returns the same code.
 */
export async function publishBatch(
  models: Models,
  campaign: CampaignDoc,
  requests: BatchPublishRequest[],
  channel: string,
  onEvents: (publicationIds: string[]) => void,
): Promise<BatchPublishResult> {
  const publications = await publicationsFor(models, campaign, requests, channel);
  const published = new Map<string, Published>();

  // Codes a publication already has: assigned, or claimed by an attempt that crashed before assigning.
  const assignedIds = [...publications.values()].flatMap((p) => (p.doc.voucher_id ? [p.doc.voucher_id] : []));
  const unassigned = [...publications.values()].filter((p) => !p.doc.voucher_id && !p.fresh).map((p) => p.doc._id);
  const [assigned, claimedBefore] = await Promise.all([
    assignedIds.length ? models.Voucher.find({ _id: { $in: assignedIds } }).lean() : [],
    unassigned.length ? models.Voucher.find({ publication_id: { $in: unassigned } }).lean() : [],
  ]);
  const byId = new Map(assigned.map((v) => [v._id, v]));
  const byPublication = new Map(claimedBefore.map((v) => [v.publication_id!, v]));

  const batchPublications = new Map([...publications].map(([customerId, p]) => [p.doc._id, { customerId, ...p }]));
  const toAssign = new Map<string, VoucherDoc>();
  const needing: ClaimRequest[] = [];
  for (const [customerId, { doc }] of publications) {
    const voucher = doc.voucher_id ? byId.get(doc.voucher_id) : byPublication.get(doc._id);
    if (voucher && doc.voucher_id) published.set(customerId, { publication: doc, voucher });
    else if (voucher) toAssign.set(doc._id, voucher);
    else needing.push({ publicationId: doc._id, customerId });
  }

  let exhausted = false;
  for (let round = 0; needing.length > 0; round++) {
    const claimed = await claimVouchers(models, campaign, needing);
    for (const [publicationId, voucher] of claimed) toAssign.set(publicationId, voucher);
    needing.splice(0, needing.length, ...needing.filter((r) => !claimed.has(r.publicationId)));
    if (needing.length === 0) break;
    if (campaign.type !== 'AUTO_UPDATE' || round >= MAX_GROWTH_ROUNDS) {
      exhausted = true;
      // No empty publication of ours stays behind: a retry after the pool is refilled must be able
      // to succeed. One a concurrent attempt made is its to fill or remove.
      const ours = needing.filter((r) => batchPublications.get(r.publicationId)?.fresh).map((r) => r.publicationId);
      if (ours.length > 0) await models.Publication.deleteMany({ _id: { $in: ours }, voucher_id: { $exists: false } });
      break;
    }
    // The seed's auto-update: grow the pool by at least what this batch still needs.
    const fresh = (await models.Campaign.findById(campaign._id).lean()) ?? campaign;
    await addVouchers(models, fresh, Math.max(needing.length, 10, Math.ceil(fresh.vouchers_count / 10)));
  }

  const tied = await assignCodes(models, campaign, batchPublications, toAssign);
  for (const [publicationId, voucher] of tied) {
    const { customerId, doc } = batchPublications.get(publicationId)!;
    published.set(customerId, { publication: { ...doc, voucher_id: voucher._id }, voucher });
  }
  onEvents([...tied.keys()]);
  return { published, exhausted };
}

interface BatchPublication {
  doc: PublicationDoc;
  customer: CustomerDoc;
  /** Inserted by this call: it cannot hold a code yet. */
  fresh: boolean;
}

/**
 * Each customer's publication under its key, inserting the missing ones; by customer id.
 * Inserts race with a concurrent attempt on the same keys: after a duplicate-key refusal the
 * keys are looked up again (servers differ in whether an unordered insert goes on after one).
 */
async function publicationsFor(
  models: Models,
  campaign: CampaignDoc,
  requests: BatchPublishRequest[],
  channel: string,
): Promise<Map<string, BatchPublication>> {
  const keyOf = (r: BatchPublishRequest) =>
    campaign.join_once ? `join:${campaign._id}:${r.customer._id}` : `source:${campaign._id}:${r.source_id}`;
  const byKey = new Map<string, PublicationDoc>();
  const ours = new Set<string>();
  for (let round = 0; round < MAX_INSERT_ROUNDS; round++) {
    const unknown = requests.filter((r) => !byKey.has(keyOf(r)));
    for (const p of await models.Publication.find({ key: { $in: unknown.map(keyOf) } }).lean()) byKey.set(p.key, p);
    const now = new Date();
    const missing: PublicationDoc[] = requests.flatMap((r) =>
      byKey.has(keyOf(r))
        ? []
        : [
            {
              _id: newId('pub'),
              key: keyOf(r),
              campaign_id: campaign._id,
              customer_id: r.customer._id,
              source_id: r.source_id,
              channel,
              metadata: {},
              created_at: now,
              updated_at: now,
            },
          ],
    );
    if (missing.length === 0) break;
    for (const p of missing) ours.add(p._id);
    try {
      await models.Publication.insertMany(missing, { ordered: false, lean: true });
      for (const p of missing) byKey.set(p.key, p);
      break;
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
    }
  }
  const result = new Map<string, BatchPublication>();
  for (const r of requests) {
    const doc = byKey.get(keyOf(r));
    if (doc) result.set(r.customer._id, { doc, customer: r.customer, fresh: ours.has(doc._id) });
  }
  return result;
}

/**
 * Ties each claimed code to its publication with the `voucher.published` event, in one bulk
 * write of conditional updates. A publication a concurrent attempt gave another code keeps
 * that one; ours goes back to the pool. Returns the code each publication ended up with.
 */
async function assignCodes(
  models: Models,
  campaign: CampaignDoc,
  publications: Map<string, BatchPublication & { customerId: string }>,
  codes: Map<string, VoucherDoc>,
): Promise<Map<string, VoucherDoc>> {
  if (codes.size === 0) return new Map();
  const now = new Date();
  const ops = [...codes].map(([publicationId, voucher]) => ({
    updateOne: {
      filter: { _id: publicationId, voucher_id: { $exists: false } },
      update: withOutbox<PublicationDoc>({ $set: { voucher_id: voucher._id, updated_at: now } }, [
        publishedEvent(publicationId, voucher, publications.get(publicationId)!.customer, campaign, now),
      ]),
    },
  }));
  // On the native driver: mongoose's casting and cloning of each update and its event cost more CPU than the write.
  const { modifiedCount } = await models.Publication.collection.bulkWrite(ops as never, { ordered: false });
  if (modifiedCount === ops.length) return codes;

  const result = new Map<string, VoucherDoc>();
  const current = await models.Publication.find({ _id: { $in: [...codes.keys()] } }, { voucher_id: 1 }).lean();
  const winners = new Map(current.map((p) => [p._id, p.voucher_id]));
  const lost: string[] = [];
  for (const [publicationId, voucher] of codes) {
    const winner = winners.get(publicationId);
    if (winner === voucher._id) result.set(publicationId, voucher);
    else {
      await releaseVoucher(models, voucher._id, publicationId);
      if (winner) lost.push(winner);
    }
  }
  for (const voucher of lost.length ? await models.Voucher.find({ _id: { $in: lost } }).lean() : []) {
    if (voucher.publication_id) result.set(voucher.publication_id, voucher);
  }
  return result;
}
