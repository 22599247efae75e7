import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Logger } from './logger';
import type { Models } from './models';

/** What routers and services are built from: created once per process (or per test). */
export interface AppContext {
  logger: Logger;
  db: Connection;
  models: Models;
  temporal: Client;
  taskQueue: string;
  /** Where the database server came from, for /health: `mongod`, `mongo-java-server`, `ferretdb` or `external`. */
  databaseKind: string;
  bodyLimit: string;
}
