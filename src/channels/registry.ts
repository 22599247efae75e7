import type { Logger } from '../logger';
import { meteredChannel } from '../metrics/metered-channel';
import { installGuardedGlobalAgents } from '../outbound/node-agents';
import type { DistributionSettings } from '../distributions/settings';
import { ActiveCampaignChannel } from './activecampaign';
import { BrazeChannel } from './braze';
import type { Channel, ChannelRegistry } from './channel';
import type { ProviderOptions } from './http-provider';
import { CmTelecomChannel } from './cm-telecom';
import { EmailChannel } from './email';
import { IntercomChannel } from './intercom';
import { createMailTransport, type MailTransport } from './mail-transport';
import { MailchimpChannel } from './mailchimp';
import { MailgunChannel } from './mailgun';
import { MandrillChannel } from './mandrill';
import { SendGridChannel } from './sendgrid';
import { TextlocalChannel } from './textlocal';
import { TwilioChannel } from './twilio';
import { WebhookChannel } from './webhook';

/**
 * The channels this deployment offers, one adapter per file. The built-in email and webhook
 * channels use the deployment's settings; provider channels get their account (credentials
 * and settings from `/v1/channels`) with each message. Nothing connects until a channel sends.
 */
export function createChannelRegistry(settings: DistributionSettings, logger: Logger): ChannelRegistry {
  // A library that takes no agent connects through node's global agents: make them the guarded ones.
  installGuardedGlobalAgents();
  let mail: MailTransport | undefined;
  const at = (type: string): ProviderOptions => {
    const baseUrl = settings.providerBaseUrls[type];
    return baseUrl ? { baseUrl } : {};
  };
  const channels: Channel[] = [
    new EmailChannel(() => (mail ??= createMailTransport(settings.mail, logger.child({ channel: 'email' })))),
    new WebhookChannel(settings.webhookSecret, undefined, settings.webhookPreviousSecret),
    new SendGridChannel(at('sendgrid')),
    new MandrillChannel(at('mandrill')),
    new MailgunChannel(at('mailgun')),
    new TwilioChannel(at('twilio')),
    new CmTelecomChannel(at('cm_telecom')),
    new TextlocalChannel(at('textlocal')),
    // One instance per process: it caches each account's custom field ids.
    new ActiveCampaignChannel(at('activecampaign')),
    new BrazeChannel(at('braze')),
    new MailchimpChannel(at('mailchimp')),
    new IntercomChannel(at('intercom')),
  ];
  const byType = new Map(channels.map((c) => [c.type, meteredChannel(c)]));
  return {
    get: (type) => byType.get(type),
    types: () => [...byType.keys()],
  };
}
