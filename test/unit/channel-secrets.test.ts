import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  loadOrCreateKeyFile,
  parseSecretsKey,
  scrubSecrets,
  SecretBox,
  SecretsDecryptError,
  type SecretBlob,
} from '../../src/channels/secrets';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';

const credentials = { api_key: 'SG.very-secret-key-123', account_sid: 'AC0123456789' };

describe('channel secrets (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('round-trips a credentials object through a versioned blob that holds no clear text', () => {
    const blob = box.seal(credentials);
    expect(blob).toEqual({ v: 1, iv: expect.any(String), tag: expect.any(String), data: expect.any(String) });
    expect(Buffer.from(blob.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(blob.tag, 'base64')).toHaveLength(16);
    const stored = JSON.stringify(blob);
    for (const v of Object.values(credentials)) expect(stored).not.toContain(v);
    expect(box.open(blob)).toEqual(credentials);
    // Reopened by another box with the same key (another process).
    expect(new SecretBox(Buffer.from(key)).open(JSON.parse(stored))).toEqual(credentials);
  });

  it('uses a fresh nonce per encryption', () => {
    const a = box.seal(credentials);
    const b = box.seal(credentials);
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
  });

  it('detects a tampered ciphertext, tag or nonce', () => {
    const blob = box.seal(credentials);
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      buf[0] = buf[0]! ^ 1;
      return buf.toString('base64');
    };
    for (const field of ['data', 'tag', 'iv'] as const) {
      const tampered: SecretBlob = { ...blob, [field]: flip(blob[field]) };
      expect(() => box.open(tampered)).toThrow(SecretsDecryptError);
    }
  });

  it('refuses to decrypt under another key with a clear error that quotes no part of the blob', () => {
    const blob = box.seal(credentials);
    let caught: unknown;
    try {
      new SecretBox(randomBytes(32)).open(blob);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SecretsDecryptError);
    const message = (caught as Error).message;
    expect(message).toMatch(/another CHANNEL_SECRETS_KEY/);
    for (const part of [blob.data, blob.tag, blob.iv, ...Object.values(credentials)])
      expect(message).not.toContain(part);
  });

  it('refuses unknown versions and malformed blobs', () => {
    const blob = box.seal(credentials);
    expect(() => box.open({ ...blob, v: 2 })).toThrow(/unknown format version 2/);
    expect(() => box.open(undefined)).toThrow(SecretsDecryptError);
    expect(() => box.open({ v: 1, iv: 'x' })).toThrow(/malformed/);
  });

  it('accepts a 32-byte key as 64 hex characters or base64, and nothing else', () => {
    const raw = randomBytes(32);
    expect(parseSecretsKey(raw.toString('hex'))).toEqual(raw);
    expect(parseSecretsKey(raw.toString('base64'))).toEqual(raw);
    expect(parseSecretsKey(raw.toString('base64url'))).toEqual(raw);
    expect(parseSecretsKey(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(parseSecretsKey(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(parseSecretsKey('not a key')).toBeUndefined();
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('validates CHANNEL_SECRETS_KEY in the configuration', () => {
    expect(loadConfig({ CHANNEL_SECRETS_KEY: randomBytes(32).toString('hex') }).CHANNEL_SECRETS_KEY).toBeDefined();
    expect(() => loadConfig({ CHANNEL_SECRETS_KEY: 'short' })).toThrow(/CHANNEL_SECRETS_KEY: 32 bytes/);
  });

  it('makes a key file with mode 0600 once, then reads the same key back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chan-key-'));
    try {
      const file = path.join(dir, 'sub', 'channel-secrets.key');
      const first = loadOrCreateKeyFile(file);
      expect(first.created).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const second = loadOrCreateKeyFile(file);
      expect(second.created).toBe(false);
      expect(second.key).toEqual(first.key);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('masks credential values quoted in an error text', () => {
    expect(scrubSecrets('401 for key SG.very-secret-key-123 at AC0123456789', credentials)).toBe(
      '401 for key •••• at ••••',
    );
  });

  it('keeps credentials out of logs wherever an account or message is logged', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write: (chunk: Buffer, _enc, done) => {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const account = { id: 'chan_1', credentials, settings: { sender: 'promo@example.com' } };
    logger.info({ credentials }, 'top level');
    logger.info({ account }, 'an account');
    logger.info({ message: { id: 'msg_1', account } }, 'a message');
    logger.info({ doc: { credentials_encrypted: box.seal(credentials) } }, 'a document');
    const text = lines.join('');
    for (const v of Object.values(credentials)) expect(text).not.toContain(v);
    expect(text).not.toContain('"data"');
    expect(text).toContain('promo@example.com');
  });
});
