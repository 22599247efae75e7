import { codecCorsOrigins, loadConfig, missingProductionSecrets, type Config } from './config';
import { startDependencies } from './embedded/services';
import { createLogger, redactUrl, type Logger } from './logger';
import { openContext, startApi, startWorker, stopOnSignals, type Stoppable } from './runtime';
import { startWorkerMetricsServer } from './metrics/worker-metrics-server';
import { installTemporalRuntime } from './temporal/runtime-install';
import { ensureConsoleBuild } from './tools/console-build';

export interface Roles {
  api: boolean;
  worker: boolean;
  /** Start a Temporal dev server / MongoDB-wire server when TEMPORAL_ADDRESS / MONGO_URL are unset. */
  embeddedServers: boolean;
}

/**
 * Runs the service's parts in this process and stops them all on SIGINT/SIGTERM, or
 * when start-up fails, so a failed start leaves no server behind.
 */
export async function runService(roles: Roles): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const refusal = missingProductionSecrets(config, roles);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL, undefined, config.LOG_FORMAT);
  // Installed once, before any worker exists: the SDK reads it when the first worker starts.
  installTemporalRuntime(logger, { host: config.HOST, metricsPort: config.TEMPORAL_METRICS_PORT });
  const stoppables: Stoppable[] = [];
  const stopAll = stopOnSignals(logger, stoppables);
  try {
    await start(config, logger, roles, stoppables);
  } catch (err) {
    logger.fatal({ err }, `startup failed: ${(err as Error).message}`);
    await stopAll('startup failed', 1);
  }
}

async function start(config: Config, logger: Logger, roles: Roles, stoppables: Stoppable[]): Promise<void> {
  if (!roles.embeddedServers && (!config.TEMPORAL_ADDRESS || !config.MONGO_URL)) {
    throw new Error(
      'Set TEMPORAL_ADDRESS and MONGO_URL for this entry point; `npm start` runs everything locally instead.',
    );
  }
  const deps = await startDependencies(config, logger);
  stoppables.push({ name: 'embedded servers', stop: deps.stop });
  const { ctx, stoppables: contextParts } = await openContext(config, logger, {
    mongoUrl: deps.mongoUrl,
    temporalAddress: deps.temporalAddress,
    databaseKind: deps.mongoKind,
    temporalUiUrl: deps.temporalUiUrl,
  });
  stoppables.push(...contextParts);
  if (roles.worker) stoppables.push(await startWorker(ctx, deps.temporalAddress));
  if (!roles.api && config.WORKER_METRICS_PORT)
    stoppables.push(
      await startWorkerMetricsServer(config.HOST, config.WORKER_METRICS_PORT, config.METRICS_TOKEN, logger),
    );
  if (!roles.api) return;
  buildConsole(logger);
  const api = await startApi(ctx, config.HOST, config.PORT, {
    codecCorsOrigins: codecCorsOrigins(config),
    metricsToken: config.METRICS_TOKEN,
  });
  stoppables.push(api);
  logger.info(
    {
      api: api.url,
      temporalUi: deps.temporalUiUrl ?? null,
      temporal: deps.temporalAddress,
      database: redactUrl(deps.mongoUrl),
    },
    `ready: API ${api.url} | Temporal Web UI ${deps.temporalUiUrl ?? `(external Temporal at ${deps.temporalAddress})`} | database ${redactUrl(deps.mongoUrl)}`,
  );
}

/** A fresh clone started without `npm install`'s build (or after a pull) gets the console built now. */
function buildConsole(logger: Logger): void {
  try {
    if (ensureConsoleBuild() === 'built') logger.info('web console built into console/dist');
  } catch (err) {
    // The API is still worth serving; `/` says the console is missing.
    logger.error({ err }, `the web console could not be built: ${(err as Error).message}`);
  }
}
