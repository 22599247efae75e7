import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { loadOrCreateKeyFile, parseSecretsKey } from '../channels/secrets';
import type { Logger } from '../logger';

/** Deployment-wide settings of the distribution engine and its built-in channels. */
export interface DistributionSettings {
  /** Default grace period of manual distributions, in seconds. */
  gracePeriodSeconds: number;
  /** Told by email when a distribution stops; unset, the stop is only logged and shown. */
  operatorEmail?: string;
  mail: {
    /** `smtp://…`; unset, messages are written as .eml files into `outboxDir`. */
    smtpUrl?: string;
    from: string;
    outboxDir: string;
  };
  /** HMAC-SHA256 key of webhook signatures. */
  webhookSecret: string;
  /** AES-256 key of provider credentials at rest (`/v1/channels`): 32 bytes. */
  channelSecretsKey: Buffer;
  /** Base URL of the public routes (`/public/…`) that emails link to: code images, unsubscribe. */
  publicUrl: string;
  /** HMAC key of those public links. */
  linkSigningKey: string;
  /** The operator's replacement origin per provider channel type (PROVIDER_BASE_URLS). */
  providerBaseUrls: Readonly<Record<string, string>>;
}

export function distributionSettingsFrom(config: Config, logger?: Pick<Logger, 'warn'>): DistributionSettings {
  return {
    gracePeriodSeconds: config.DISTRIBUTION_GRACE_PERIOD_SECONDS,
    ...(config.OPERATOR_EMAIL ? { operatorEmail: config.OPERATOR_EMAIL } : {}),
    mail: { ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}), from: config.MAIL_FROM, outboxDir: path.join(config.DATA_DIR, 'mail') },
    webhookSecret: config.WEBHOOK_SIGNING_SECRET ?? randomBytes(32).toString('hex'),
    channelSecretsKey: channelSecretsKeyFrom(config, logger),
    publicUrl: config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`,
    linkSigningKey: config.LINK_SIGNING_SECRET ?? randomBytes(32).toString('hex'),
    providerBaseUrls: config.PROVIDER_BASE_URLS,
  };
}

/** The configured key, else the one kept in DATA_DIR (made on first start): losing it loses every stored credential. */
function channelSecretsKeyFrom(config: Config, logger?: Pick<Logger, 'warn'>): Buffer {
  const configured = config.CHANNEL_SECRETS_KEY ? parseSecretsKey(config.CHANNEL_SECRETS_KEY) : undefined;
  if (configured) return configured;
  const file = path.join(config.DATA_DIR, 'channel-secrets.key');
  const { key, created } = loadOrCreateKeyFile(file);
  logger?.warn(
    { file },
    `CHANNEL_SECRETS_KEY is not set: channel credentials are encrypted under the key ${created ? 'just made in' : 'kept in'} ${file}; back it up, and set CHANNEL_SECRETS_KEY in production (every API and worker process needs the same key)`,
  );
  return key;
}

/** For contexts built without a config (tests that do not send): the seed's 10 minutes, mail to a temp folder. */
export function defaultDistributionSettings(): DistributionSettings {
  return {
    gracePeriodSeconds: 600,
    mail: { from: 'Promo Engine <promo@localhost>', outboxDir: path.join(os.tmpdir(), 'promo-engine-mail') },
    webhookSecret: randomBytes(32).toString('hex'),
    channelSecretsKey: randomBytes(32),
    publicUrl: 'http://127.0.0.1:3000',
    linkSigningKey: randomBytes(32).toString('hex'),
    providerBaseUrls: {},
  };
}
