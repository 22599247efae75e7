import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { registerDatabaseGauges } from '../metrics/database-gauges';
import { engineMetrics } from '../metrics/engine-metrics';
import { METRICS_TOKEN_REQUIRED, scrapeAuthorizer } from '../metrics/metrics-token';
import type { Models } from '../models';

/**
 * A registry per app instance, so tests that build several apps never share HTTP counters;
 * `/metrics` answers it with the process's engine metrics. With `token` set, a scrape must
 * send `Authorization: Bearer <token>`; without it the route is open, as it always was (README).
 */
export function createMetrics(models: Pick<Models, 'Distribution' | 'Voucher'>, token?: string) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerDatabaseGauges(registry, models);
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const stop = duration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, not the raw path, keeps label cardinality bounded.
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      stop(labels);
    });
    next();
  };

  // The merged registry holds the same metric objects: it reads their values at each scrape.
  const scraped = Registry.merge([registry, engineMetrics.registry]);
  const authorized = scrapeAuthorizer(token);
  const handler: RequestHandler = async (req, res, next) => {
    if (!authorized(req.get('authorization'))) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json(METRICS_TOKEN_REQUIRED);
      return;
    }
    try {
      res.type(registry.contentType).send(await scraped.metrics());
    } catch (err) {
      next(err);
    }
  };

  return { registry, middleware, handler };
}

export type Metrics = ReturnType<typeof createMetrics>;
