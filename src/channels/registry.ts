import type { Logger } from '../logger';
import type { DistributionSettings } from '../distributions/settings';
import type { Channel, ChannelRegistry } from './channel';
import { EmailChannel } from './email';
import { createMailTransport, type MailTransport } from './mail-transport';
import { WebhookChannel } from './webhook';

/**
 * The channels this deployment offers. Provider adapters (SendGrid, Twilio, …) register here
 * too, one file each. Nothing connects until a channel first sends.
 */
export function createChannelRegistry(settings: DistributionSettings, logger: Logger): ChannelRegistry {
  let mail: MailTransport | undefined;
  const channels: Channel[] = [
    new EmailChannel(() => (mail ??= createMailTransport(settings.mail, logger.child({ channel: 'email' })))),
    new WebhookChannel(settings.webhookSecret),
  ];
  const byType = new Map(channels.map((c) => [c.type, c]));
  return {
    get: (type) => byType.get(type),
    types: () => [...byType.keys()],
  };
}
