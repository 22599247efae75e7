import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mongoose, { type Connection } from 'mongoose';
import { DomainError } from '../errors';

type FileId = mongoose.mongo.ObjectId;

/**
 * Uploads live in GridFS (bucket `uploads`) from the moment they are accepted until their
 * import ends, so a worker on any machine can read them and a crash loses nothing.
 * GridFS's 255 kB chunks keep both sides streaming.
 */
const BUCKET = 'uploads';

function bucket(db: Connection): mongoose.mongo.GridFSBucket {
  if (!db.db) throw new Error('database connection is not open');
  return new mongoose.mongo.GridFSBucket(db.db, { bucketName: BUCKET });
}

export function payloadTooLarge(maxBytes: number): DomainError {
  return new DomainError(
    'too_large',
    'payload_too_large',
    'Payload too large',
    `Uploads are limited to ${maxBytes} bytes.`,
  );
}

export function newUploadId(): FileId {
  return new mongoose.mongo.ObjectId();
}

/**
 * Streams `source` into the store, refusing more than `maxBytes` (413). On any failure
 * the partial file is removed, so a half-received upload never becomes an import.
 */
export async function storeUpload(
  db: Connection,
  id: FileId,
  source: Readable,
  options: { maxBytes: number; filename: string; asyncActionId: string },
): Promise<number> {
  const upload = bucket(db).openUploadStreamWithId(id, options.filename, {
    metadata: { async_action_id: options.asyncActionId },
  });
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > options.maxBytes ? payloadTooLarge(options.maxBytes) : null, chunk);
    },
  });
  try {
    await pipeline(source, limit, upload);
    return bytes;
  } catch (err) {
    await deleteUpload(db, id).catch(() => undefined);
    throw err;
  }
}

/** The stored upload from byte `from` on; `length` is its size, which the driver needs to seek. */
export function readUpload(db: Connection, id: FileId, from: number, length: number): Readable {
  if (from >= length) {
    const empty = new PassThrough();
    empty.end();
    return empty;
  }
  // The driver defaults `end` to 0 and then refuses any `start` past it, so both are given.
  return bucket(db).openDownloadStream(id, { start: from, end: length });
}

/** Removes an upload; one already gone (a retried finish, a failed store) is fine. */
export async function deleteUpload(db: Connection, id: FileId): Promise<void> {
  try {
    await bucket(db).delete(id);
  } catch (err) {
    if (!(err instanceof mongoose.mongo.MongoRuntimeError && /not found/i.test(err.message))) throw err;
  }
}
