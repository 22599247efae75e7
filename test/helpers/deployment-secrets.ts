import { randomBytes } from 'node:crypto';

/**
 * The four secrets a separately run API or worker refuses to start without
 * (src/config.ts missingProductionSecrets), freshly made; `env` wins where it names one.
 * The payload key is the test run's (test/setup/global-setup.ts): a spawned worker must read
 * what the test's own Temporal client writes.
 */
export function deploymentSecrets(env: Record<string, string> = {}): Record<string, string> {
  return {
    WEBHOOK_SIGNING_SECRET: randomBytes(32).toString('hex'),
    LINK_SIGNING_SECRET: randomBytes(32).toString('hex'),
    CHANNEL_SECRETS_KEY: randomBytes(32).toString('hex'),
    PAYLOAD_ENCRYPTION_KEY: process.env.PAYLOAD_ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
    ...env,
  };
}
