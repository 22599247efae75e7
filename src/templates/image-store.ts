import type { Readable } from 'node:stream';
import mongoose, { type Connection } from 'mongoose';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { payloadTooLarge } from '../imports/upload-store';

/** Largest image upload unless TEMPLATE_IMAGE_MAX_BYTES says otherwise. */
export const DEFAULT_IMAGE_MAX_BYTES = 5 * 1024 * 1024;

/** Images the editor's uploads live in (GridFS), kept until deleted, served by /public/images/:id. */
const BUCKET = 'template_images';

export interface StoredImage {
  id: string;
  content_type: string;
  size: number;
}

/**
 * The image type by its first bytes, never by the name or the declared type: PNG, JPEG, GIF
 * or WebP. Anything else — SVG above all, which can carry script — is not an image here.
 * Four fixed signatures; the maintained sniffing library (file-type) is ESM-only, which this
 * CommonJS service and its tests cannot load.
 */
export function imageType(head: Buffer): string | undefined {
  const starts = (bytes: number[], at = 0) =>
    head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
  const ascii = (text: string, at = 0) => starts([...Buffer.from(text, 'latin1')], at);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii('GIF87a') || ascii('GIF89a')) return 'image/gif';
  if (ascii('RIFF') && ascii('WEBP', 8)) return 'image/webp';
  return undefined;
}

/**
 * GridFS takes any `_id`, and a random one keeps images from being listed by guessing (an
 * ObjectId counts up); the driver's types only say ObjectId.
 */
function fileId(id: string): mongoose.mongo.ObjectId {
  return id as unknown as mongoose.mongo.ObjectId;
}

function bucket(db: Connection): mongoose.mongo.GridFSBucket {
  if (!db.db) throw new Error('database connection is not open');
  return new mongoose.mongo.GridFSBucket(db.db, { bucketName: BUCKET });
}

/** Reads an upload whole (it is small), refusing more than `maxBytes` with a 413 as soon as it is passed. */
async function readLimited(source: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      source.destroy();
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Checks an uploaded file by its content and stores it; nothing is stored when it is refused. */
export async function storeImage(
  db: Connection,
  source: Readable,
  filename: string,
  maxBytes: number,
): Promise<StoredImage> {
  const bytes = await readLimited(source, maxBytes);
  if (bytes.length === 0) throw DomainError.invalid('empty_file', 'Empty file', 'the uploaded file is empty');
  const contentType = imageType(bytes);
  if (!contentType) {
    throw new DomainError(
      'unsupported_media_type',
      'unsupported_image_type',
      'Unsupported image type',
      `${filename} is not a PNG, JPEG, GIF or WebP image (checked by its content, not its name; SVG is not accepted)`,
    );
  }
  const id = newId('img');
  const upload = bucket(db).openUploadStreamWithId(fileId(id), filename, { metadata: { content_type: contentType } });
  await new Promise<void>((resolve, reject) => {
    upload.once('finish', () => resolve());
    upload.once('error', reject);
    upload.end(bytes);
  });
  return { id, content_type: contentType, size: bytes.length };
}

/** A stored image and its bytes as a stream; undefined when there is none with this id. */
export async function openImage(
  db: Connection,
  id: string,
): Promise<{ contentType: string; size: number; stream: Readable } | undefined> {
  const files = bucket(db);
  const file = await files.find({ _id: fileId(id) }).next();
  if (!file) return undefined;
  const contentType =
    typeof file.metadata?.content_type === 'string' ? file.metadata.content_type : 'application/octet-stream';
  return { contentType, size: file.length, stream: files.openDownloadStream(fileId(id)) };
}
