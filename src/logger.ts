import pino, { type Logger } from 'pino';

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'promo-engine' } },
    destination,
  );
}

export type { Logger };

/** Connection strings may carry a password; logs get the rest only. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
