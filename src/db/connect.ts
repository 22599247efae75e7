import mongoose, { type Connection } from 'mongoose';
import { registerModels, type Models } from '../models';

/**
 * Opens a dedicated connection (not mongoose's global one) so tests can hold several
 * databases at once. Indexes are built here rather than by autoIndex, so an index the
 * server refuses stops start-up instead of surfacing later as a stray event.
 */
export async function connectDatabase(url: string, dbName: string): Promise<{ db: Connection; models: Models }> {
  const db = mongoose.createConnection(url, { dbName, autoIndex: false, autoCreate: false, serverSelectionTimeoutMS: 10_000 });
  await db.asPromise();
  const models = registerModels(db);
  for (const model of Object.values(models)) await model.createIndexes();
  return { db, models };
}
