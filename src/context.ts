import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { CampaignService } from './campaigns/campaign-service';
import { ChannelAccountService } from './channels/channel-account-service';
import { createChannelRegistry } from './channels/registry';
import { SecretBox } from './channels/secrets';
import type { ChannelRegistry } from './channels/channel';
import { ConsentCatalog } from './consents/consent-catalog';
import { CustomerConsents } from './consents/customer-consents';
import { CustomerService } from './customers/customer-service';
import { defaultDistributionSettings, type DistributionSettings } from './distributions/settings';
import { DistributionService } from './distributions/distribution-service';
import { EventFlow } from './events/event-flow';
import { addRedemptionSummaries, orderOutboxSource } from './events/sources';
import type { Logger } from './logger';
import type { Models } from './models';
import { OrderService } from './orders/order-service';
import { OrderSummaries } from './orders/order-summary';
import { RedemptionSummaries } from './redemptions/redemption-summary';
import { ReferralRewards } from './rewards/referral-rewards';
import { BalanceService } from './balances/balance-service';
import { PromotionService } from './promotions/promotion-service';
import { PublicationService } from './publications/publication-service';
import { RedemptionService } from './redemptions/redemption-service';
import { SegmentService } from './segments/segment-service';
import { TemplateService } from './templates/template-service';
import { ValidationRuleService } from './validation-rules/validation-rule-service';

/** What routers and services are built from: created once per process (or per test). */
export interface AppContext {
  logger: Logger;
  db: Connection;
  models: Models;
  temporal: Client;
  taskQueue: string;
  /** Where the database server came from, for /health: `mongod`, `mongo-java-server`, `ferretdb` or `external`. */
  databaseKind: string;
  bodyLimit: string;
  /** The Temporal Web UI, when known, for the console's links to a distribution's workflow. */
  temporalUiUrl?: string;
  /** Express's `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-For / -Proto to believe; none when unset. */
  trustProxy?: string;
  /** Largest customer import upload in bytes; 200 MB when unset (src/imports/customer-imports.ts). */
  importMaxBytes?: number;
  /** Largest template image upload in bytes; 5 MB when unset (src/templates/image-store.ts). */
  imageMaxBytes?: number;
  /** Seconds between scheduled re-evaluations of date-dependent segments; daily when unset (src/temporal/schedules.ts). */
  segmentRefreshSeconds?: number;
  /** Grace period, operator address, built-in channels' settings; defaults when not given. */
  settings: DistributionSettings;
  channels: ChannelRegistry;
  /** Provider accounts (`/v1/channels`), credentials encrypted at rest. */
  channelAccounts: ChannelAccountService;
  events: EventFlow;
  customers: CustomerService;
  segments: SegmentService;
  orders: OrderService;
  /** Consent definitions and groups. */
  consents: ConsentCatalog;
  /** Customers' consent answers and channel opt-outs. */
  customerConsents: CustomerConsents;
  campaigns: CampaignService;
  publications: PublicationService;
  validationRules: ValidationRuleService;
  redemptions: RedemptionService;
  /** PROMOTION campaigns' tiers and the legacy promotions validation. */
  promotions: PromotionService;
  distributions: DistributionService;
  /** Saved message templates and previews. */
  templates: TemplateService;
}

export type ContextBase = Omit<
  AppContext,
  | 'settings'
  | 'channels'
  | 'channelAccounts'
  | 'events'
  | 'customers'
  | 'segments'
  | 'orders'
  | 'consents'
  | 'customerConsents'
  | 'campaigns'
  | 'publications'
  | 'validationRules'
  | 'redemptions'
  | 'promotions'
  | 'distributions'
  | 'templates'
> & {
  settings?: DistributionSettings;
  /** The channels offered; the deployment's registry when not given (tests add fake providers). */
  channels?: ChannelRegistry;
};

/** Adds the domain services, wired to each other, to the process's connections. */
export function createContext(base: ContextBase): AppContext {
  const settings = base.settings ?? defaultDistributionSettings();
  const channels = base.channels ?? createChannelRegistry(settings, base.logger);
  const channelAccounts = new ChannelAccountService(
    base.models,
    channels,
    new SecretBox(settings.channelSecretsKey),
    base.logger,
  );
  const events = new EventFlow(base.models, base.logger, base.temporal, base.taskQueue);
  const customers = new CustomerService(base.models, (id) => events.raised('customers', id));
  const segments = new SegmentService(base.models, base.temporal, base.taskQueue);
  events.sources.push(orderOutboxSource(base.models, new OrderSummaries(base.models, customers)));
  const orders = new OrderService(base.models, customers, (id) => events.raised('orders', id));
  const consents = new ConsentCatalog(base.models);
  const customerConsents = new CustomerConsents(base.models, customers, consents);
  const campaigns = new CampaignService(base.models, base.temporal, base.taskQueue);
  const publications = new PublicationService(
    base.models,
    customers,
    campaigns,
    (id) => events.raised('publications', id),
    (ids) => events.raisedMany('publications', ids),
  );
  const referralRewards = new ReferralRewards(
    base.models,
    new BalanceService(base.models, (id) => events.raised('vouchers', id)),
    publications,
  );
  addRedemptionSummaries(events.sources, new RedemptionSummaries(base.models, customers, referralRewards));
  const validationRules = new ValidationRuleService(base.models);
  const redemptions = new RedemptionService(
    base.models,
    customers,
    validationRules,
    (id) => events.raised('redemptions', id),
    referralRewards,
  );
  const promotions = new PromotionService(base.models, validationRules, redemptions);
  const distributions = new DistributionService(
    base.models,
    base.temporal,
    base.taskQueue,
    settings,
    channels,
    consents,
    base.logger,
  );
  const templates = new TemplateService(base.models, customers, channels, settings);
  return {
    ...base,
    settings,
    channels,
    channelAccounts,
    events,
    customers,
    segments,
    orders,
    consents,
    customerConsents,
    campaigns,
    publications,
    validationRules,
    redemptions,
    promotions,
    distributions,
    templates,
  };
}
