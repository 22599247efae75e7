import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { CustomerService } from './customers/customer-service';
import { EventFlow } from './events/event-flow';
import type { Logger } from './logger';
import type { Models } from './models';
import { SegmentService } from './segments/segment-service';

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
  events: EventFlow;
  customers: CustomerService;
  segments: SegmentService;
}

export type ContextBase = Omit<AppContext, 'events' | 'customers' | 'segments'>;

/** Adds the domain services, wired to each other, to the process's connections. */
export function createContext(base: ContextBase): AppContext {
  const events = new EventFlow(base.models, base.logger);
  const customers = new CustomerService(base.models, (id) => events.raised('customers', id));
  const segments = new SegmentService(base.models, base.temporal, base.taskQueue);
  return { ...base, events, customers, segments };
}
