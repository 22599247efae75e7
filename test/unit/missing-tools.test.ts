import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/embedded/managed-process';
import { startMongoServer } from '../../src/embedded/mongo-server';
import { ensureTemporalCli, MissingToolError } from '../../src/tools/install';

/** A machine with no server address, no binary and no toolchain: the error says what to do. */
describe('without servers, binaries or toolchains', () => {
  const emptyTools = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-no-tools-'));
  const savedPath = process.env.PATH;
  const savedMirror = process.env.MONGOMS_DOWNLOAD_MIRROR;
  let closedPort = 0;
  beforeAll(async () => {
    process.env.PATH = '';
    // Nothing listens on a freed port: the mongod download fails at once, as offline, and never really downloads.
    closedPort = await freePort();
    process.env.MONGOMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${closedPort}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
    if (savedMirror === undefined) delete process.env.MONGOMS_DOWNLOAD_MIRROR;
    else process.env.MONGOMS_DOWNLOAD_MIRROR = savedMirror;
    fs.rmSync(emptyTools, { recursive: true, force: true });
  });

  it('names TEMPORAL_ADDRESS and Go for Temporal', () => {
    expect(() => ensureTemporalCli(emptyTools)).toThrow(MissingToolError);
    expect(() => ensureTemporalCli(emptyTools)).toThrow(/set TEMPORAL_ADDRESS.*install Go/);
  });

  it('names MONGO_URL, mongod, the failed download and each embedded server’s needs for MongoDB', async () => {
    const attempt = startMongoServer({ kind: 'auto', toolsDir: emptyTools, port: 1, runDir: emptyTools });
    await expect(attempt).rejects.toThrow(MissingToolError);
    await expect(startMongoServer({ kind: 'auto', toolsDir: emptyTools, port: 1, runDir: emptyTools })).rejects.toThrow(
      /set MONGO_URL.*mongod: none on PATH.*mongod-download: could not download mongod from 127\.0\.0\.1:\d+ \(connection refused\).*JDK.*Maven.*Go/,
    );
  });
});
