import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMongoServer } from '../../src/embedded/mongo-server';
import { ensureTemporalCli, MissingToolError } from '../../src/tools/install';

/** A machine with no server address, no binary and no toolchain: the error says what to do. */
describe('without servers, binaries or toolchains', () => {
  const emptyTools = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-no-tools-'));
  const savedPath = process.env.PATH;
  beforeAll(() => {
    process.env.PATH = '';
  });
  afterAll(() => {
    process.env.PATH = savedPath;
    fs.rmSync(emptyTools, { recursive: true, force: true });
  });

  it('names TEMPORAL_ADDRESS and Go for Temporal', () => {
    expect(() => ensureTemporalCli(emptyTools)).toThrow(MissingToolError);
    expect(() => ensureTemporalCli(emptyTools)).toThrow(/set TEMPORAL_ADDRESS.*install Go/);
  });

  it('names MONGO_URL, mongod and each embedded server’s needs for MongoDB', async () => {
    const attempt = startMongoServer({ kind: 'auto', toolsDir: emptyTools, port: 1, runDir: emptyTools });
    await expect(attempt).rejects.toThrow(MissingToolError);
    await expect(startMongoServer({ kind: 'auto', toolsDir: emptyTools, port: 1, runDir: emptyTools })).rejects.toThrow(
      /set MONGO_URL.*mongod on PATH.*JDK.*Maven.*Go/,
    );
  });
});
