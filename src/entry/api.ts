import { runService } from '../service';

/** The API alone, for deployments that scale it apart from workers (docker/). */
void runService({ api: true, worker: false, embeddedServers: false });
