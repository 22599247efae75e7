import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/embedded/managed-process';
import { startMongoServer } from '../../src/embedded/mongo-server';
import { describeChoice } from '../../src/embedded/server-choice';
import { startTemporalDevServer } from '../../src/embedded/temporal-dev-server';
import { ensureConsoleBuild } from '../../src/tools/console-build';

/**
 * One Temporal dev server and one database server for the whole run, unless
 * TEMPORAL_ADDRESS / MONGO_URL name existing ones. Suites isolate by database name and
 * task queue (see test/helpers/context.ts). Addresses reach the test workers through env.
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  // Once, before the workers start: two browser suites finding the build stale at once both ran Vite,
  // and the second failed on the first one's build lock. A no-op when the build is current.
  ensureConsoleBuild();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-test-run-'));
  const stops: Array<() => Promise<void>> = [];
  (globalThis as { __TEST_SERVERS__?: unknown }).__TEST_SERVERS__ = { stops, runDir };

  const [mongo, temporal] = await Promise.all([
    config.MONGO_URL
      ? undefined
      : freePort().then((port) =>
          startMongoServer({ kind: config.EMBEDDED_MONGO, heap: testHeap(), toolsDir: config.TOOLS_DIR, port, runDir }),
        ),
    config.TEMPORAL_ADDRESS
      ? undefined
      : freePort().then((port) =>
          startTemporalDevServer({
            kind: config.EMBEDDED_TEMPORAL,
            toolsDir: config.TOOLS_DIR,
            port,
            namespace: config.TEMPORAL_NAMESPACE,
            runDir,
          }),
        ),
  ]);
  if (mongo) stops.push(() => mongo.process.stop());
  for (const server of [mongo, temporal]) {
    if (server) process.stderr.write(`[test servers] ${describeChoice(server)}\n`);
  }
  if (temporal) stops.push(() => temporal.process.stop());

  process.env.TEST_MONGO_URL = config.MONGO_URL ?? mongo!.url;
  process.env.TEST_MONGO_KIND = mongo?.kind ?? 'external';
  process.env.TEST_TEMPORAL_ADDRESS = config.TEMPORAL_ADDRESS ?? temporal!.address;
  // One payload key for the run: test clients and the worker processes tests spawn (which inherit
  // the environment) must read each other's histories.
  process.env.PAYLOAD_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
}

/**
 * The whole suite shares one database server, and mongo-java-server keeps its data and indexes
 * in the JVM heap: at the service's 512m its old generation filled up during a full run (123 full
 * collections, 518 s of GC) and connections timed out. EMBEDDED_MONGO_HEAP still wins when set.
 */
function testHeap(): string {
  return process.env.EMBEDDED_MONGO_HEAP ?? '2g';
}
