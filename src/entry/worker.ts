import { runService } from '../service';

/** A worker alone (docker/): run as many as the load needs. */
void runService({ api: false, worker: true, embeddedServers: false });
