import type { DistributionSettings } from '../distributions/settings';
import type { Logger } from '../logger';
import { createMailTransport } from './mail-transport';

/**
 * Tells the operator about something that needs a person (a distribution stopped because its
 * code pool ran out). Goes over the same mail settings as the email channel; without an
 * operator address the log line is all there is. Resolves `true` once the mail was accepted.
 */
export async function notifyOperator(
  settings: DistributionSettings,
  logger: Logger,
  mail: { subject: string; text: string },
  also: readonly string[] = [],
): Promise<boolean> {
  try {
    return await mailOperators(settings, logger, mail, also);
  } catch (err) {
    logger.error({ subject: mail.subject, err }, 'could not email the operator');
    return false;
  }
}

/**
 * Mails `OPERATOR_EMAIL` and `also` (a distribution's `notify_emails`); throws when the mail
 * was not accepted, so an activity calling it is retried. `false` when there is nobody to tell.
 */
export async function mailOperators(
  settings: DistributionSettings,
  logger: Logger,
  mail: { subject: string; text: string },
  also: readonly string[] = [],
): Promise<boolean> {
  const to = [...new Set([...(settings.operatorEmail ? [settings.operatorEmail] : []), ...also])];
  if (to.length === 0) {
    logger.warn(
      { subject: mail.subject },
      'no operator email configured (OPERATOR_EMAIL, notify_emails); operator notice only logged',
    );
    return false;
  }
  // Rare enough that a connection of its own, closed right after, beats holding one open.
  const transport = createMailTransport(settings.mail, logger, { pool: false });
  try {
    const result = await transport.send({ to: to.join(', '), subject: mail.subject, text: mail.text });
    if (result.status !== 'sent') throw new Error(`operator notice not accepted: ${result.error}`);
    logger.info({ subject: mail.subject, recipients: to.length }, 'operator notified by email');
    return true;
  } finally {
    transport.close();
  }
}
