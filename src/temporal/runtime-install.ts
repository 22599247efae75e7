import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logger';
import { temporalSdkLogger } from './sdk-logger';

/**
 * Installs the Temporal SDK's runtime once per process, before any worker exists (the SDK
 * reads it when the first one starts): its logs into ours, and with `metricsPort` set its
 * own metrics (task slots, poll and schedule-to-start latencies, sticky cache, activity
 * and workflow task outcomes, named `temporal_…`) served for Prometheus at
 * `http://host:metricsPort/metrics` by the SDK's core.
 */
export function installTemporalRuntime(logger: Logger, options: { host: string; metricsPort?: number }): void {
  const { host, metricsPort } = options;
  Runtime.install({
    logger: temporalSdkLogger(logger),
    ...(metricsPort
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: `${host.includes(':') ? `[${host}]` : host}:${metricsPort}`,
                // Prometheus's conventions, so the dashboard's queries read like the engine's.
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                unitSuffix: true,
              },
            },
          },
        }
      : {}),
  });
}
