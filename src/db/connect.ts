import mongoose, { type Connection } from 'mongoose';
import { onlyDuplicateKeys } from './duplicate-key';
import { registerModels, type Models } from '../models';
import { backfillVoucherSeq } from './voucher-seq-backfill';

/**
 * Opens a dedicated connection (not mongoose's global one) so tests can hold several
 * databases at once. Indexes are built here rather than by autoIndex, so an index the
 * server refuses stops start-up instead of surfacing later as a stray event.
 */
export async function connectDatabase(url: string, dbName: string): Promise<{ db: Connection; models: Models }> {
  const db = mongoose.createConnection(url, {
    dbName,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
  });
  await db.asPromise();
  const models = registerModels(db);
  try {
    await models.Voucher.createIndexes();
  } catch (err) {
    // A database from before vouchers carried `seq` cannot build the {campaign_id, seq} index: number them, then build it.
    if (!onlyDuplicateKeys(err)) throw err;
    await backfillVoucherSeq(models);
    await models.Voucher.createIndexes();
  }
  for (const model of Object.values(models)) if (model !== models.Voucher) await model.createIndexes();
  return { db, models };
}
