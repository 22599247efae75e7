import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';

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
}

export function distributionSettingsFrom(config: Config): DistributionSettings {
  return {
    gracePeriodSeconds: config.DISTRIBUTION_GRACE_PERIOD_SECONDS,
    ...(config.OPERATOR_EMAIL ? { operatorEmail: config.OPERATOR_EMAIL } : {}),
    mail: { ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}), from: config.MAIL_FROM, outboxDir: path.join(config.DATA_DIR, 'mail') },
    webhookSecret: config.WEBHOOK_SIGNING_SECRET ?? randomBytes(32).toString('hex'),
  };
}

/** For contexts built without a config (tests that do not send): the seed's 10 minutes, mail to a temp folder. */
export function defaultDistributionSettings(): DistributionSettings {
  return {
    gracePeriodSeconds: 600,
    mail: { from: 'Promo Engine <promo@localhost>', outboxDir: path.join(os.tmpdir(), 'promo-engine-mail') },
    webhookSecret: randomBytes(32).toString('hex'),
  };
}
