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
import { addRedemptionSummaries, orderOutboxSource, outboxSources } from './events/sources';
import type { Infrastructure } from './infrastructure';
import { OrderService } from './orders/order-service';
import { OrderSummaries } from './orders/order-summary';
import { RedemptionSummaries } from './redemptions/redemption-summary';
import { ReferralRewards } from './rewards/referral-rewards';
import { BalanceService } from './balances/balance-service';
import { RewardService } from './rewards/reward-service';
import { VoucherService } from './vouchers/voucher-service';
import { PromotionService } from './promotions/promotion-service';
import { PublicationService } from './publications/publication-service';
import { RedemptionService } from './redemptions/redemption-service';
import { SegmentService } from './segments/segment-service';
import { TemplateService } from './templates/template-service';
import { ValidationRuleService } from './validation-rules/validation-rule-service';

/** What routers and services are built from: created once per process (or per test). */
export interface AppContext extends Infrastructure {
  /** Grace period, operator address, built-in channels' settings; defaults when not given. */
  settings: DistributionSettings;
  channels: ChannelRegistry;
  /** Provider accounts (`/v1/channels`), credentials encrypted at rest. */
  channelAccounts: ChannelAccountService;
  events: EventFlow;
  customers: CustomerService;
  /**
   * The customer service of bulk imports: entered events land in the customers' outboxes and
   * wait for the pump's sweep, instead of a relay per customer while thousands are written.
   */
  importCustomers: CustomerService;
  segments: SegmentService;
  orders: OrderService;
  /** Consent definitions and groups. */
  consents: ConsentCatalog;
  /** Customers' consent answers and channel opt-outs. */
  customerConsents: CustomerConsents;
  campaigns: CampaignService;
  /** Codes of unique-code campaigns. */
  vouchers: VoucherService;
  /** Gift card credits and loyalty points added or removed by hand. */
  balances: BalanceService;
  /** Rewards and buying them with loyalty points. */
  rewards: RewardService;
  publications: PublicationService;
  validationRules: ValidationRuleService;
  redemptions: RedemptionService;
  /** PROMOTION campaigns' tiers and the legacy promotions validation. */
  promotions: PromotionService;
  distributions: DistributionService;
  /** Saved message templates and previews. */
  templates: TemplateService;
}

export type ContextBase = Infrastructure & {
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
  // Services raise their events through `events`, built once they all exist: its sources' follow-ups
  // (order and redemption summaries) need the customer service and the referral rewards.
  const customers = new CustomerService(base.models, (id) => events.raised('customers', id));
  const importCustomers = new CustomerService(base.models);
  const segments = new SegmentService(base.models, base.temporal, base.taskQueue);
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
  const vouchers = new VoucherService(base.models, campaigns);
  // Balance changes and reward redemptions raise their events in the voucher's outbox.
  const balances = new BalanceService(base.models, (id) => events.raised('vouchers', id));
  const rewards = new RewardService(base.models, (id) => events.raised('vouchers', id));
  const referralRewards = new ReferralRewards(base.models, balances, publications);
  const sources = [
    ...outboxSources(base.models),
    orderOutboxSource(base.models, new OrderSummaries(base.models, customers)),
  ];
  addRedemptionSummaries(sources, new RedemptionSummaries(base.models, customers, referralRewards));
  const events = new EventFlow({ ...base, sources });
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
    importCustomers,
    segments,
    orders,
    consents,
    customerConsents,
    campaigns,
    vouchers,
    balances,
    rewards,
    publications,
    validationRules,
    redemptions,
    promotions,
    distributions,
    templates,
  };
}
