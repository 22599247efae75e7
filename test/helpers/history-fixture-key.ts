import { createHash } from 'node:crypto';

/**
 * The payload key the `-encrypted` recorded histories were written under (a test key, nothing
 * else uses it): record new ones with PAYLOAD_ENCRYPTION_KEY set to its hex.
 */
export const HISTORY_FIXTURE_KEY = createHash('sha256').update('promo-engine encrypted history fixture').digest();
