import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, ValueError, type Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from '../../src/codec/encryption-codec';
import { payloadKeyFrom } from '../../src/codec/payload-key';

const secret = {
  url: 'https://hooks.example.com/in?token=tok-7f3a9c',
  template: 'Your code {{code}} – PLAINTEXT-MARKER-42',
};
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value)!;
const bytesOf = (payload: Payload): string =>
  Buffer.concat([
    ...Object.values(payload.metadata ?? {}).map((b) => Buffer.from(b)),
    Buffer.from(payload.data ?? []),
  ]).toString('latin1');

describe('payload encryption codec', () => {
  const codec = new EncryptionCodec(randomBytes(32));

  it('encrypts a payload so neither its value nor its JSON encoding shows, and decodes it back', async () => {
    const [encoded] = await codec.encode([toPayload(secret)]);
    const raw = bytesOf(encoded!);
    expect(raw).not.toContain('tok-7f3a9c');
    expect(raw).not.toContain('PLAINTEXT-MARKER-42');
    expect(raw).not.toContain('json/plain');
    expect(Buffer.from(encoded!.metadata![METADATA_ENCODING_KEY]!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded!.metadata![KEY_ID_METADATA]!).toString()).toBe(codec.keyId);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);
  });

  it('uses a fresh nonce for every payload', async () => {
    const [a, b] = await codec.encode([toPayload(secret), toPayload(secret)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads written before the codec through decode unchanged, so old histories replay', async () => {
    const plain = toPayload({ hello: 'world' });
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('names the key a payload needs when this process has another', async () => {
    const [encoded] = await new EncryptionCodec(randomBytes(32)).encode([toPayload(secret)]);
    await expect(codec.decode([encoded!])).rejects.toThrow(ValueError);
    await expect(codec.decode([encoded!])).rejects.toThrow(/PAYLOAD_ENCRYPTION_KEY/);
  });

  it('refuses an altered payload', async () => {
    const [encoded] = await codec.encode([toPayload(secret)]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow(/altered/);
  });

  it('gives one key one id, and different keys different ids', () => {
    const key = randomBytes(32);
    expect(new EncryptionCodec(key).keyId).toBe(new EncryptionCodec(Buffer.from(key)).keyId);
    expect(new EncryptionCodec(key).keyId).not.toBe(codec.keyId);
    expect(new EncryptionCodec(key).keyId).not.toContain(key.toString('hex').slice(0, 8));
  });
});

describe('PAYLOAD_ENCRYPTION_KEY', () => {
  it('is validated like the channel key: 32 bytes as hex or base64', () => {
    const key = randomBytes(32);
    expect(loadConfig({ PAYLOAD_ENCRYPTION_KEY: key.toString('base64') }).PAYLOAD_ENCRYPTION_KEY).toBeDefined();
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION_KEY: 'short' })).toThrow(/PAYLOAD_ENCRYPTION_KEY: 32 bytes/);
  });

  it('is used when set, else made once in DATA_DIR (0600) with a warning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payload-key-'));
    try {
      const key = randomBytes(32);
      const warnings: string[] = [];
      const logger = { warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)) } as never;
      expect(payloadKeyFrom({ PAYLOAD_ENCRYPTION_KEY: key.toString('hex'), DATA_DIR: dir }, logger).equals(key)).toBe(
        true,
      );
      expect(warnings).toHaveLength(0);
      const made = payloadKeyFrom({ PAYLOAD_ENCRYPTION_KEY: undefined, DATA_DIR: dir }, logger);
      const file = path.join(dir, 'payload-encryption.key');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(payloadKeyFrom({ PAYLOAD_ENCRYPTION_KEY: undefined, DATA_DIR: dir }, logger).equals(made)).toBe(true);
      expect(warnings[0]).toMatch(/PAYLOAD_ENCRYPTION_KEY is not set.*just made in/);
      expect(warnings[1]).toMatch(/kept in/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
