import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Logger } from './logger';
import type { Models } from './models';

/**
 * The process's connections and limits, which every service is built from (src/context.ts).
 * Code that needs some of them names them with `Pick<Infrastructure, …>`: a module of types
 * only, so domain code declares its needs without importing the composition root.
 */
export interface Infrastructure {
  logger: Logger;
  db: Connection;
  models: Models;
  temporal: Client;
  taskQueue: string;
  /** Where the database server came from, for /health: `mongod`, `mongo-java-server`, `ferretdb` or `external`. */
  databaseKind: string;
  bodyLimit: string;
  /** The Temporal Web UI, when known, for the console's links to a distribution's workflow. */
  temporalUiUrl?: string;
  /** Express's `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-For / -Proto to believe; none when unset. */
  trustProxy?: string;
  /** Largest customer import upload in bytes; 200 MB when unset (src/imports/customer-imports.ts). */
  importMaxBytes?: number;
  /** Largest template image upload in bytes; 5 MB when unset (src/templates/image-store.ts). */
  imageMaxBytes?: number;
  /** Seconds between scheduled re-evaluations of date-dependent segments; daily when unset (src/temporal/schedules.ts). */
  segmentRefreshSeconds?: number;
}
