import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * Paths pino blanks out wherever they appear: request credentials and anything a
 * channel setting may carry. Listing them here keeps secrets out of logs even when a
 * whole request or settings object is logged by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers["x-app-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.appToken',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.secretKey',
  '*.authToken',
  '*.credentials',
  // Channel accounts (/v1/channels): a logged account or message (`{ message: { account: … } }`).
  'credentials',
  '*.*.credentials',
  'credentials_encrypted',
  '*.credentials_encrypted',
];

/**
 * The ids every line logged inside some work carries: a request's id in the API, a
 * workflow's id and its distribution's id in an activity. Kept in async context (set by the
 * request-id middleware and the worker's activity interceptor), so no code passes them along.
 */
export const logContext = new AsyncLocalStorage<Readonly<Record<string, string>>>();

export type LogFormat = 'auto' | 'pretty' | 'json';

/** Pretty lines for a person at a terminal; JSON for anything that collects logs. */
export function prettyWanted(format: LogFormat, isTty: boolean | undefined): boolean {
  return format === 'pretty' || (format === 'auto' && isTty === true);
}

/** `destination` (tests) writes JSON lines; otherwise stdout, pretty or JSON as `format` says. */
export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'auto'): Logger {
  const options: pino.LoggerOptions = {
    level,
    // Redaction runs before any formatting, so pretty lines are as clean as JSON ones.
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'promo-engine' },
    // A copy: pino merges the line's own fields into what the mixin returns.
    mixin: () => ({ ...logContext.getStore() }),
  };
  if (!destination && prettyWanted(format, process.stdout.isTTY)) {
    // In-process (not a transport's worker thread): lines stay in order with stderr and survive a crash.
    return pino(
      options,
      pretty({
        // One line an entry, led by the ids a person follows a send or a request by; colours only where the terminal has them.
        singleLine: true,
        messageFormat: '{if distributionId}{distributionId} {end}{if requestId}{requestId} {end}{msg}',
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
      }),
    );
  }
  return pino(options, destination);
}

export type { Logger };

/** Connection strings may carry a password; logs get the rest only. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
