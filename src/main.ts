import { loadConfig, type Config } from './config';
import { startDependencies } from './embedded/services';
import { createLogger, redactUrl, type Logger } from './logger';
import { openContext, startApi, startWorker, stopOnSignals, type Stoppable } from './runtime';

/**
 * `npm start`: the whole service in one process. Starts a Temporal dev server and a
 * MongoDB-wire server unless TEMPORAL_ADDRESS / MONGO_URL point elsewhere, then the
 * worker and the API.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const stoppables: Stoppable[] = [];
  const stopAll = stopOnSignals(logger, stoppables);
  try {
    await start(config, logger, stoppables);
  } catch (err) {
    logger.fatal({ err }, `startup failed: ${(err as Error).message}`);
    // Stop what did start, so a failed start leaves no server behind.
    await stopAll('startup failed', 1);
  }
}

async function start(config: Config, logger: Logger, stoppables: Stoppable[]): Promise<void> {
  const deps = await startDependencies(config, logger);
  stoppables.push({ name: 'embedded servers', stop: deps.stop });
  const { ctx, stoppables: contextParts } = await openContext(config, logger, {
    mongoUrl: deps.mongoUrl,
    temporalAddress: deps.temporalAddress,
    databaseKind: deps.mongoKind,
  });
  stoppables.push(...contextParts);
  stoppables.push(await startWorker(ctx, deps.temporalAddress));
  const api = await startApi(ctx, config.HOST, config.PORT);
  stoppables.push(api);

  logger.info(
    { api: api.url, temporalUi: deps.temporalUiUrl ?? null, temporal: deps.temporalAddress, database: redactUrl(deps.mongoUrl) },
    `ready: API ${api.url} | Temporal Web UI ${deps.temporalUiUrl ?? `(external Temporal at ${deps.temporalAddress})`} | database ${redactUrl(deps.mongoUrl)}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`startup failed: ${(err as Error).message}\n`);
  process.exit(1);
});
