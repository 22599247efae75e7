import { runService } from './service';

/**
 * `npm start`: API and worker in one process, with a local Temporal dev server and a
 * MongoDB-wire server unless TEMPORAL_ADDRESS / MONGO_URL point elsewhere.
 */
void runService({ api: true, worker: true, embeddedServers: true });
