import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { configuredOrFileKey } from '../channels/secrets';
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
    /** STARTTLS is mandatory on `smtp://` unless this is false (or the URL says `ignoreTLS=true`). */
    requireTls?: boolean;
    from: string;
    outboxDir: string;
  };
  /** HMAC-SHA256 key of webhook signatures. */
  webhookSecret: string;
  /** During a rotation, the key being replaced: webhooks also carry a signature under it. */
  webhookPreviousSecret?: string;
  /** AES-256 key of provider credentials at rest (`/v1/channels`): 32 bytes. */
  channelSecretsKey: Buffer;
  /** Base URL of the public routes (`/public/…`) that emails link to: code images, unsubscribe. */
  publicUrl: string;
  /** HMAC key of those public links; new links are signed with it. */
  linkSigningKey: string;
  /** During a rotation, the key being replaced: links signed with it are still accepted. */
  linkSigningPreviousKey?: string;
  /** How long a `cockpit_url` works, in seconds (COCKPIT_LINK_DAYS). */
  cockpitTtlSeconds: number;
  /** The operator's replacement origin per provider channel type (PROVIDER_BASE_URLS). */
  providerBaseUrls: Readonly<Record<string, string>>;
}

export function distributionSettingsFrom(config: Config, logger?: Pick<Logger, 'warn'>): DistributionSettings {
  return {
    gracePeriodSeconds: config.DISTRIBUTION_GRACE_PERIOD_SECONDS,
    ...(config.OPERATOR_EMAIL ? { operatorEmail: config.OPERATOR_EMAIL } : {}),
    mail: {
      ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}),
      requireTls: config.SMTP_REQUIRE_TLS,
      from: config.MAIL_FROM,
      outboxDir: path.join(config.DATA_DIR, 'mail'),
    },
    webhookSecret: config.WEBHOOK_SIGNING_SECRET ?? randomBytes(32).toString('hex'),
    ...(config.WEBHOOK_SIGNING_SECRET_PREVIOUS
      ? { webhookPreviousSecret: config.WEBHOOK_SIGNING_SECRET_PREVIOUS }
      : {}),
    channelSecretsKey: channelSecretsKeyFrom(config, logger),
    publicUrl: config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`,
    linkSigningKey: config.LINK_SIGNING_SECRET ?? randomBytes(32).toString('hex'),
    ...(config.LINK_SIGNING_SECRET_PREVIOUS ? { linkSigningPreviousKey: config.LINK_SIGNING_SECRET_PREVIOUS } : {}),
    cockpitTtlSeconds: config.COCKPIT_LINK_DAYS * 86_400,
    providerBaseUrls: config.PROVIDER_BASE_URLS,
  };
}

/** The configured key, else the one kept in DATA_DIR (made on first start): losing it loses every stored credential. */
function channelSecretsKeyFrom(config: Config, logger?: Pick<Logger, 'warn'>): Buffer {
  return configuredOrFileKey(
    {
      variable: 'CHANNEL_SECRETS_KEY',
      value: config.CHANNEL_SECRETS_KEY,
      file: path.join(config.DATA_DIR, 'channel-secrets.key'),
      encrypts: 'channel credentials are',
    },
    logger,
  );
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
    cockpitTtlSeconds: 30 * 86_400,
    providerBaseUrls: {},
  };
}
