import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { seedAppKey } from './auth/app-keys';
import type { Config } from './config';
import { createContext, type AppContext } from './context';
import { connectDatabase } from './db/connect';
import { createApp, type AppOptions } from './http/app';
import type { Logger } from './logger';
import { encryptingDataConverter } from './codec/data-converter';
import { payloadKeyFrom } from './codec/payload-key';
import { connectTemporalClient, ensureSearchAttributes } from './temporal/client';
import { createWorker } from './temporal/worker';
import { DEFAULT_SEGMENT_REFRESH_SECONDS, ensureSegmentRefreshSchedule } from './temporal/schedules';
import { distributionSettingsFrom } from './distributions/settings';
import { startStalledImports } from './imports/customer-imports';
import { setOutboundAllowHosts } from './outbound/address-policy';

/** A started part of the service and how to stop it; stopped in reverse order of start. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export async function openContext(
  config: Config,
  logger: Logger,
  addresses: { mongoUrl: string; temporalAddress: string; databaseKind: string; temporalUiUrl?: string },
) {
  const stoppables: Stoppable[] = [];
  setOutboundAllowHosts(config.OUTBOUND_ALLOW_HOSTS);
  const { db, models } = await connectDatabase(addresses.mongoUrl, config.MONGO_DB);
  stoppables.push({ name: 'database connection', stop: () => db.close() });
  if (config.APP_ID && config.APP_TOKEN) {
    if ((await seedAppKey(models.AppKey, config.APP_ID, config.APP_TOKEN)) === 'revoked') {
      logger.warn(
        { appId: config.APP_ID },
        `the APP_ID ${config.APP_ID} key was revoked and stays revoked: set APP_ID to a new id (and a new APP_TOKEN) to seed another admin key`,
      );
    }
  } else if ((await models.AppKey.estimatedDocumentCount()) === 0) {
    logger.warn(
      'no application key exists yet: create one with `npm run app-key -- create <name>`, or set APP_ID and APP_TOKEN',
    );
  }
  if (!config.WEBHOOK_SIGNING_SECRET)
    logger.warn(
      'WEBHOOK_SIGNING_SECRET is not set: webhook signatures use a key made for this process only, which receivers cannot know',
    );
  if (!config.LINK_SIGNING_SECRET)
    logger.warn(
      'LINK_SIGNING_SECRET is not set: QR code, barcode and unsubscribe links in emails use a key made for this process only and stop working at restart',
    );
  const temporal: Client = await connectTemporalClient(
    addresses.temporalAddress,
    config.TEMPORAL_NAMESPACE,
    encryptingDataConverter(payloadKeyFrom(config, logger)),
  );
  stoppables.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  await ensureSearchAttributes(temporal, logger);
  const ctx: AppContext = createContext({
    logger,
    db,
    models,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    databaseKind: addresses.databaseKind,
    bodyLimit: config.REQUEST_BODY_LIMIT,
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    importMaxBytes: config.IMPORT_MAX_BYTES,
    imageMaxBytes: config.TEMPLATE_IMAGE_MAX_BYTES,
    segmentRefreshSeconds: config.SEGMENT_REFRESH_INTERVAL_SECONDS,
    temporalUiUrl: addresses.temporalUiUrl,
    settings: distributionSettingsFrom(config, logger),
  });
  stoppables.push({ name: 'event relay', stop: () => ctx.events.stop() });
  return { ctx, stoppables };
}

export async function startWorker(ctx: AppContext, address: string): Promise<Stoppable> {
  const { worker, connection } = await createWorker({
    address,
    namespace: ctx.temporal.options.namespace,
    taskQueue: ctx.taskQueue,
    ctx,
  });
  const running = worker.run();
  running.catch((err: unknown) => ctx.logger.fatal({ err }, 'worker stopped with an error'));
  ctx.logger.info({ taskQueue: ctx.taskQueue }, `worker polling task queue ${ctx.taskQueue}`);
  // Workers also move outbox events on to Temporal: the role exists wherever events must flow.
  ctx.events.startPump();
  await ensureSegmentRefreshSchedule(
    ctx.temporal,
    ctx.taskQueue,
    ctx.segmentRefreshSeconds ?? DEFAULT_SEGMENT_REFRESH_SECONDS,
    ctx.logger,
  );
  // Starts the workflows a crash between a write and its workflow start left unstarted.
  const reconciler = setInterval(() => {
    ctx.segments.reconcile().catch((err: unknown) => ctx.logger.warn({ err }, 'segment sync reconcile failed'));
    startStalledImports(ctx).catch((err: unknown) => ctx.logger.warn({ err }, 'import reconcile failed'));
    ctx.campaigns.reconcile().catch((err: unknown) => ctx.logger.warn({ err }, 'campaign generation reconcile failed'));
    ctx.distributions.reconcile().catch((err: unknown) => ctx.logger.warn({ err }, 'distribution reconcile failed'));
  }, 15_000);
  return {
    name: 'worker',
    async stop() {
      clearInterval(reconciler);
      await ctx.events.stopPump();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  };
}

export async function startApi(
  ctx: AppContext,
  host: string,
  port: number,
  options: AppOptions = {},
): Promise<Stoppable & { url: string }> {
  const app = createApp(ctx, options);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s)).once('error', reject);
  });
  // Node's default (5 min for a whole request) would cut a large import upload on a slow link.
  server.requestTimeout = 30 * 60_000;
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  ctx.logger.info({ url, docs: `${url}/docs` }, `API listening on ${url} (docs at ${url}/docs)`);
  return {
    name: 'API',
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Stops everything on SIGINT/SIGTERM, newest first, then exits. A second signal while
 * stopping exits at once, for the operator who really means it.
 */
export function stopOnSignals(
  logger: Logger,
  stoppables: Stoppable[],
): (reason: string, exitCode?: number) => Promise<void> {
  let stopping = false;
  const stopAll = async (reason: string, exitCode = 0) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ reason }, 'stopping');
    for (const part of [...stoppables].reverse()) {
      try {
        await part.stop();
      } catch (err) {
        logger.error({ err, part: part.name }, 'error while stopping');
      }
    }
    logger.info('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
  return stopAll;
}
