import type { DistributionSettings } from '../distributions/settings';
import type { Logger } from '../logger';
import { createMailTransport } from './mail-transport';

/**
 * Tells the operator about something that needs a person (a distribution stopped because its
 * code pool ran out). Goes over the same mail settings as the email channel; without an
 * operator address the log line is all there is. Resolves `true` once the mail was accepted.
 */
export async function notifyOperator(settings: DistributionSettings, logger: Logger, mail: { subject: string; text: string }): Promise<boolean> {
  if (!settings.operatorEmail) {
    logger.warn({ subject: mail.subject }, 'no operator email configured (OPERATOR_EMAIL); operator notice only logged');
    return false;
  }
  // Rare enough that a connection of its own, closed right after, beats holding one open.
  const transport = createMailTransport(settings.mail, logger, { pool: false });
  try {
    const result = await transport.send({ to: settings.operatorEmail, subject: mail.subject, text: mail.text });
    if (result.status === 'sent') {
      logger.info({ subject: mail.subject }, 'operator notified by email');
      return true;
    }
    logger.error({ subject: mail.subject, error: result.error }, 'could not email the operator');
    return false;
  } finally {
    transport.close();
  }
}
