import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from '../logger';
import { distributionIdIn } from './activity-context';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal SDK's own logs (worker state, workflow/activity logs) into our pino
 * lines. A workflow's lines come with its `workflowId` from the SDK (they are written from
 * sinks, outside any async context); the distribution's id is read from it.
 */
export function temporalSdkLogger(logger: Logger): TemporalLogger {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const workflowId = typeof meta?.workflowId === 'string' ? meta.workflowId : undefined;
    const distributionId = workflowId ? distributionIdIn(workflowId) : undefined;
    sdk[LEVELS[level]](distributionId ? { ...meta, distributionId } : (meta ?? {}), message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
