import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { createAppKey } from '../../src/auth/app-keys';
import { parseSecretsKey } from '../../src/channels/secrets';
import { encryptingDataConverter } from '../../src/codec/data-converter';
import type { Channel, ChannelRegistry } from '../../src/channels/channel';
import { createChannelRegistry } from '../../src/channels/registry';
import { createContext, type AppContext } from '../../src/context';
import { connectDatabase } from '../../src/db/connect';
import { defaultDistributionSettings, type DistributionSettings } from '../../src/distributions/settings';
import { createLogger } from '../../src/logger';

/** Captures what the app logs, so tests can assert that secrets never reach it. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface TestContext {
  ctx: AppContext;
  logs: LogCapture;
  /** Credentials of a key created for the test. */
  auth: { 'X-App-Id': string; 'X-App-Token': string };
  temporalAddress: string;
  close(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A context on its own database and task queue, against the run's shared servers. */
export interface TestContextOptions {
  /** Distribution settings over the defaults (10-minute grace, mail to a temp folder). */
  settings?: Partial<DistributionSettings>;
  /** Channels offered besides the deployment's (e.g. a fake provider taking an account); same type replaces. */
  channels?: Channel[];
  /** Where the console's links to workflows point (the Temporal Web UI). */
  temporalUiUrl?: string;
}

export async function createTestContext(prefix = 'test', options: TestContextOptions = {}): Promise<TestContext> {
  const mongoUrl = required('TEST_MONGO_URL');
  const temporalAddress = required('TEST_TEMPORAL_ADDRESS');
  const { db, models } = await connectDatabase(mongoUrl, uniqueName(prefix));
  const connection = await Connection.connect({ address: temporalAddress });
  const temporal = new Client({
    connection,
    namespace: 'default',
    dataConverter: encryptingDataConverter(testPayloadKey()),
  });
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  const settings = { ...defaultDistributionSettings(), ...options.settings };
  const ctx: AppContext = createContext({
    logger,
    db,
    models,
    temporal,
    taskQueue: uniqueName(prefix),
    databaseKind: process.env.TEST_MONGO_KIND ?? 'external',
    bodyLimit: '100kb',
    settings,
    ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
    ...(options.channels ? { channels: withChannels(createChannelRegistry(settings, logger), options.channels) } : {}),
  });
  const { appId, appToken } = await createAppKey(models.AppKey, 'test', 'admin');
  return {
    ctx,
    logs,
    auth: { 'X-App-Id': appId, 'X-App-Token': appToken },
    temporalAddress,
    async close() {
      await db.dropDatabase();
      await db.close();
      await connection.close();
    },
  };
}

function withChannels(base: ChannelRegistry, extra: Channel[]): ChannelRegistry {
  const byType = new Map(extra.map((c) => [c.type, c]));
  return {
    get: (type) => byType.get(type) ?? base.get(type),
    types: () => [...new Set([...base.types(), ...byType.keys()])],
  };
}

/** The run's payload key (global setup makes it), shared with the worker processes tests spawn. */
export function testPayloadKey(): Buffer {
  const key = parseSecretsKey(required('PAYLOAD_ENCRYPTION_KEY'));
  if (!key) throw new Error('PAYLOAD_ENCRYPTION_KEY is not a 32-byte key');
  return key;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with jest (global setup sets it)`);
  return value;
}
