import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT_DIR } from '../../src/config';
import { createMetrics } from '../../src/http/metrics';
import { EVENT_LAG_STAGES, engineMetrics } from '../../src/metrics/engine-metrics';

const read = (...p: string[]) => fs.readFileSync(path.join(ROOT_DIR, ...p), 'utf8');

interface Panel {
  type: string;
  title: string;
  description?: string;
  targets?: { expr: string }[];
}

/** The metric names the API's /metrics can show (HTTP, engine, database gauges), without reading any database. */
function exposedNames(): Set<string> {
  const http = createMetrics({} as never);
  return new Set(
    [...http.registry.getMetricsAsArray(), ...engineMetrics.registry.getMetricsAsArray()].map((m) => m.name),
  );
}

describe('the Grafana dashboard, Prometheus config and README metrics table', () => {
  const dashboard = JSON.parse(read('docker', 'grafana', 'dashboards', 'promo-engine.json')) as { panels: Panel[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('queries only metrics the service exposes (histograms by their _bucket, _count and _sum series)', () => {
    const exposed = exposedNames();
    const queried = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:promo|http)_[a-z_]+)\b/g)].map((m) => m[1]!)));
    expect(queried.size).toBeGreaterThan(5);
    for (const name of queried)
      expect([name, name.replace(/_(bucket|count|sum)$/, '')].some((n) => exposed.has(n))).toBe(true);
  });

  it('shows every engine metric, and the README names each with its type', () => {
    const readme = read('README.md');
    const engine = [...exposedNames()].filter((n) => n.startsWith('promo_'));
    expect(engine).toEqual(
      expect.arrayContaining([
        'promo_messages_total',
        'promo_provider_call_duration_seconds',
        'promo_event_lag_seconds',
        'promo_batches_in_flight',
        'promo_distributions',
        'promo_campaign_codes_left',
      ]),
    );
    for (const name of engine) {
      expect(exprs.some((e) => e.includes(name))).toBe(true);
      expect(readme).toMatch(new RegExp(`\\| \`${name}\` \\| (counter|gauge|histogram) \\|`));
    }
  });

  it('names every stage of the event lag in its panel, its help and its README row', () => {
    const panel = dashboard.panels.find((p) =>
      (p.targets ?? []).some((t) => t.expr.includes('promo_event_lag_seconds_bucket')),
    );
    const help = engineMetrics.registry.getSingleMetric('promo_event_lag_seconds') as unknown as { help: string };
    const row = read('README.md')
      .split('\n')
      .find((l) => l.startsWith('| `promo_event_lag_seconds` |'));
    expect(panel?.targets?.some((t) => t.expr.includes('by (le, stage)'))).toBe(true);
    for (const stage of EVENT_LAG_STAGES)
      for (const text of [panel?.description, help.help, row]) expect(text).toMatch(new RegExp(`\\b${stage}\\b`));
  });

  it('scrapes the api and the ports the compose file gives the worker, and provisions the dashboard from where compose mounts it', () => {
    const compose = parse(read('docker', 'compose.yml'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
    };
    const worker = compose.services.worker!.environment!;
    const targets = (
      parse(read('docker', 'prometheus.yml')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] }
    ).scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(
      ['api:3000', `worker:${worker.WORKER_METRICS_PORT}`, `worker:${worker.TEMPORAL_METRICS_PORT}`].sort(),
    );
    const provider = parse(read('docker', 'grafana', 'provisioning', 'dashboards', 'promo-engine.yml')) as {
      providers: { options: { path: string } }[];
    };
    expect(compose.services.grafana!.volumes).toContain(
      `./grafana/dashboards:${provider.providers[0]!.options.path}:ro`,
    );
  });
});
