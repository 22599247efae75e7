import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The `encoding` of a payload this codec made; any other encoding passes through decode untouched. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Which key sealed the payload: a fingerprint, so a process with another key says so instead of failing GCM blindly. */
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined): string | undefined =>
  b ? Buffer.from(b).toString('utf8') : undefined;

/** A key's public name: HMAC of a fixed label under the key, so it tells keys apart and reveals nothing of them. */
export function payloadKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('promo-engine payload key id').digest('hex').slice(0, 16);
}

/**
 * AES-256-GCM over every Temporal payload (workflow and activity arguments and results,
 * signals, updates, queries, memos, encoded failures): the server, its database and its UI
 * only ever hold ciphertext. The whole payload — metadata included, so not even its JSON type
 * shows — is sealed into `data`, as the SDK's encryption sample does.
 *
 * Payloads without the encrypted encoding are returned as they are: histories written before
 * the codec existed still replay, and a worker reads them as it did.
 */
export class EncryptionCodec implements PayloadCodec {
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`the payload encryption key must be 32 bytes, not ${key.length}`);
    this.key = Buffer.from(key);
    this.keyId = payloadKeyId(this.key);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
          [CIPHER_METADATA]: utf8(CIPHER),
          [KEY_ID_METADATA]: utf8(this.keyId),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      if (keyId !== this.keyId) {
        throw new ValueError(
          `payload was encrypted under key ${keyId ?? '(none named)'}, this process has ${this.keyId}: start it with the PAYLOAD_ENCRYPTION_KEY the payload was written under`,
        );
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is too short');
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new ValueError('encrypted payload failed its integrity check: it was altered');
      }
      const decoded = temporal.api.common.v1.Payload.decode(plain);
      return { metadata: { ...decoded.metadata }, data: decoded.data };
    });
  }
}
