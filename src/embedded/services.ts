import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { startMongoServer, type MongoServer } from './mongo-server';
import { describeChoice } from './server-choice';
import { defaultTemporalDbFile, startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';

/** Where the service's dependencies are, whether we started them or were given them. */
export interface Dependencies {
  temporalAddress: string;
  temporalUiUrl?: string;
  /** Connection string of the server; the database is config.MONGO_DB. */
  mongoUrl: string;
  mongoKind: string;
  /** Stops the servers this process started, in reverse order; a no-op for external ones. */
  stop(): Promise<void>;
}

/**
 * Starts a Temporal dev server when TEMPORAL_ADDRESS is unset and a MongoDB-wire server
 * when MONGO_URL is unset; both keep their data under DATA_DIR so a restart resumes.
 */
export async function startDependencies(config: Config, logger: Logger): Promise<Dependencies> {
  const runDir = path.join(config.DATA_DIR, 'run');
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop();
  };
  try {
    let mongo: MongoServer | undefined;
    if (!config.MONGO_URL) {
      mongo = await startMongoServer({
        kind: config.EMBEDDED_MONGO,
        heap: config.EMBEDDED_MONGO_HEAP,
        toolsDir: config.TOOLS_DIR,
        port: config.MONGO_PORT,
        dataDir: config.DATA_DIR,
        runDir,
      });
      started.push(mongo.process);
      logger.info(
        { kind: mongo.kind, skipped: mongo.skipped, url: mongo.url, log: mongo.process.logFile },
        `database: ${describeChoice(mongo, ['MONGO_URL: unset'])}, listening on ${mongo.url}`,
      );
    }
    let temporal: TemporalDevServer | undefined;
    if (!config.TEMPORAL_ADDRESS) {
      temporal = await startTemporalDevServer({
        kind: config.EMBEDDED_TEMPORAL,
        toolsDir: config.TOOLS_DIR,
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        // Payloads are encrypted (src/codec): the UI asks the API to decode them for an operator holding a key.
        uiCodecEndpoint: `${(config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '')}/codec`,
        dbFile: defaultTemporalDbFile(config.DATA_DIR),
        namespace: config.TEMPORAL_NAMESPACE,
        runDir,
      });
      started.push(temporal.process);
      logger.info(
        {
          kind: temporal.kind,
          skipped: temporal.skipped,
          address: temporal.address,
          ui: temporal.uiUrl,
          log: temporal.process.logFile,
        },
        `Temporal dev server: ${describeChoice(temporal, ['TEMPORAL_ADDRESS: unset'])}, on ${temporal.address}, Web UI at ${temporal.uiUrl}`,
      );
    }
    return {
      temporalAddress: config.TEMPORAL_ADDRESS ?? (temporal as TemporalDevServer).address,
      temporalUiUrl: temporal?.uiUrl ?? config.TEMPORAL_UI_URL,
      mongoUrl: config.MONGO_URL ?? (mongo as MongoServer).url,
      mongoKind: mongo?.kind ?? 'external',
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
