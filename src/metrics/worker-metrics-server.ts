import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../logger';
import { engineMetrics } from './engine-metrics';
import { METRICS_TOKEN_REQUIRED, scrapeAuthorizer } from './metrics-token';

export interface WorkerMetricsServer {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/**
 * `/metrics` of a worker running as its own process (`npm run start:worker`): the engine's
 * counters of the sends and deliveries it runs, and its Node process metrics. The database
 * gauges stay the API's: every process would report the same numbers.
 */
export async function startWorkerMetricsServer(
  host: string,
  port: number,
  token: string | undefined,
  logger: Logger,
): Promise<WorkerMetricsServer> {
  const processMetrics = new Registry();
  collectDefaultMetrics({ register: processMetrics });
  const registry = Registry.merge([processMetrics, engineMetrics.registry]);
  const authorized = scrapeAuthorizer(token);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    if (!authorized(req.headers.authorization)) {
      res
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
        .end(JSON.stringify(METRICS_TOKEN_REQUIRED));
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        logger.error({ err }, 'worker metrics could not be collected');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`;
  logger.info({ url }, `worker metrics at ${url}`);
  return {
    name: 'worker metrics',
    url,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
