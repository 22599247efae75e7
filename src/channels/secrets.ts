import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import type { SecretBlob } from '../models/channel-account';

export type { SecretBlob } from '../models/channel-account';

const KEY_BYTES = 32;
const IV_BYTES = 12;

/** Decryption failed: another key, or a blob that was altered. Carries no part of the blob. */
export class SecretsDecryptError extends Error {
  constructor(reason: string) {
    super(`channel credentials cannot be decrypted: ${reason}`);
    this.name = 'SecretsDecryptError';
  }
}

/** `CHANNEL_SECRETS_KEY`: 32 bytes as 64 hex characters or as base64; undefined when it is neither. */
export function parseSecretsKey(text: string): Buffer | undefined {
  const s = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === KEY_BYTES) return b;
  }
  return undefined;
}

/**
 * The key file `DATA_DIR/channel-secrets.key` (hex), made on first start when no key is
 * configured. Created exclusively, so two processes sharing DATA_DIR end up with one key.
 */
export function loadOrCreateKeyFile(file: string): { key: Buffer; created: boolean } {
  const read = (): Buffer => {
    const key = parseSecretsKey(fs.readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key (64 hex characters or base64)`);
    return key;
  };
  if (fs.existsSync(file)) return { key: read(), created: false };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    fs.writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: read(), created: false };
    throw err;
  }
  return { key, created: true };
}

/**
 * A key from its variable, else from its key file (made on first start) with a warning: losing
 * the file loses what it encrypts, and a process elsewhere makes another one.
 */
export function configuredOrFileKey(
  key: { variable: string; value: string | undefined; file: string; encrypts: string },
  logger?: Pick<Logger, 'warn'>,
): Buffer {
  const configured = key.value ? parseSecretsKey(key.value) : undefined;
  if (configured) return configured;
  const { key: made, created } = loadOrCreateKeyFile(key.file);
  logger?.warn(
    { file: key.file },
    `${key.variable} is not set: ${key.encrypts} encrypted under the key ${created ? 'just made in' : 'kept in'} ${key.file}; back it up, and set ${key.variable} in production (every API and worker process needs the same key)`,
  );
  return made;
}

/** Encrypts and decrypts credential objects under one key. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES)
      throw new Error(`the channel secrets key must be ${KEY_BYTES} bytes, not ${key.length}`);
    this.key = Buffer.from(key);
  }

  seal(credentials: Record<string, string>): SecretBlob {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return {
      v: 1,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  open(blob: unknown): Record<string, string> {
    const b = blob as Partial<SecretBlob> | null | undefined;
    if (!b || typeof b !== 'object') throw new SecretsDecryptError('no encrypted credentials stored');
    if (b.v !== 1) throw new SecretsDecryptError(`unknown format version ${String(b.v)}`);
    if (typeof b.iv !== 'string' || typeof b.tag !== 'string' || typeof b.data !== 'string')
      throw new SecretsDecryptError('malformed blob');
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(b.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(b.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(b.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // GCM's tag check failing says nothing about which: the key differs, or the blob was altered.
      throw new SecretsDecryptError('they were encrypted under another CHANNEL_SECRETS_KEY, or altered');
    }
    const parsed: unknown = JSON.parse(plain);
    if (
      !parsed ||
      typeof parsed !== 'object' ||
      Array.isArray(parsed) ||
      Object.values(parsed).some((v) => typeof v !== 'string')
    ) {
      throw new SecretsDecryptError('decrypted content is not a credentials object');
    }
    return parsed as Record<string, string>;
  }
}

/** The mask shown instead of a credential's value. */
export const MASK = '••••';

/**
 * Every spelling of the credentials a text may carry: each value as is, URL-encoded and in
 * base64, and the base64 of `user:secret` pairs (HTTP Basic: Mailgun's `api:key`, Twilio's
 * `sid:token`, Mailchimp's `user:key`). Longest first, so a value containing another is masked whole.
 */
function credentialForms(credentials: Record<string, string>): string[] {
  const values = Object.values(credentials).filter((v) => typeof v === 'string' && v.length >= 4);
  const forms = new Set<string>();
  for (const v of values) {
    forms.add(v);
    forms.add(encodeURIComponent(v));
    forms.add(Buffer.from(v).toString('base64'));
    for (const user of ['api', 'user', ...Object.values(credentials)])
      forms.add(Buffer.from(`${user}:${v}`).toString('base64'));
  }
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/** `Authorization`-style values whatever they hold: a provider echoing a header echoes someone's key. */
const AUTH_VALUE = /\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{6,}/gi;

/**
 * An adapter's text with every credential (in any spelling, and any Basic/Bearer value)
 * replaced by `mask`: a second guard for error texts that end up stored, logged or answered.
 */
export function scrubSecrets(text: string, credentials: Record<string, string>, mask: string = MASK): string {
  let out = text;
  for (const form of credentialForms(credentials)) out = out.split(form).join(mask);
  return out.replace(AUTH_VALUE, (_m, scheme: string) => `${scheme} ${mask}`);
}
