import path from 'node:path';
import { configuredOrFileKey } from '../channels/secrets';
import type { Config } from '../config';
import type { Logger } from '../logger';

/**
 * `PAYLOAD_ENCRYPTION_KEY`, else the key kept in `DATA_DIR/payload-encryption.key` (made on
 * first start). Every client and worker of the namespace needs the same key: a process with
 * another one cannot read the histories, and losing it makes running workflows unreadable.
 */
export function payloadKeyFrom(
  config: Pick<Config, 'PAYLOAD_ENCRYPTION_KEY' | 'DATA_DIR'>,
  logger?: Pick<Logger, 'warn'>,
): Buffer {
  return configuredOrFileKey(
    {
      variable: 'PAYLOAD_ENCRYPTION_KEY',
      value: config.PAYLOAD_ENCRYPTION_KEY,
      file: path.join(config.DATA_DIR, 'payload-encryption.key'),
      encrypts: 'Temporal payloads are',
    },
    logger,
  );
}
