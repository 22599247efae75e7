import type { Connection } from 'mongoose';
import { appKeyModel } from './app-key';
import { campaignModel } from './campaign';
import { channelAccountModel } from './channel-account';
import { asyncActionModel } from './async-action';
import { consentModel } from './consent';
import { consentGroupModel } from './consent-group';
import { customerModel } from './customer';
import { lockModel } from './lock';
import { distributionModel } from './distribution';
import { distributionBatchModel } from './distribution-batch';
import { distributionMessageModel } from './distribution-message';
import { domainEventModel } from './domain-event';
import { metadataSchemaModel } from './metadata-schema';
import { orderModel } from './order';
import { promotionTierModel } from './promotion-tier';
import { publicationModel } from './publication';
import { redemptionModel } from './redemption';
import { redemptionTallyModel } from './redemption-tally';
import { rewardModel } from './reward';
import { rewardRedemptionModel } from './reward-redemption';
import { segmentModel } from './segment';
import { sessionModel } from './session';
import { templateModel } from './template';
import { testMessageModel } from './test-message';
import { validationRuleAssignmentModel, validationRuleModel } from './validation-rule';
import { voucherModel } from './voucher';

/** Every model of the service, bound to one connection (tests hold one per database). */
export function registerModels(db: Connection) {
  return {
    AppKey: appKeyModel(db),
    AsyncAction: asyncActionModel(db),
    Campaign: campaignModel(db),
    ChannelAccount: channelAccountModel(db),
    Consent: consentModel(db),
    ConsentGroup: consentGroupModel(db),
    Customer: customerModel(db),
    Distribution: distributionModel(db),
    DistributionBatch: distributionBatchModel(db),
    DistributionMessage: distributionMessageModel(db),
    DomainEvent: domainEventModel(db),
    Lock: lockModel(db),
    MetadataSchema: metadataSchemaModel(db),
    Order: orderModel(db),
    PromotionTier: promotionTierModel(db),
    Publication: publicationModel(db),
    Redemption: redemptionModel(db),
    RedemptionTally: redemptionTallyModel(db),
    Reward: rewardModel(db),
    RewardRedemption: rewardRedemptionModel(db),
    Segment: segmentModel(db),
    Session: sessionModel(db),
    Template: templateModel(db),
    TestMessage: testMessageModel(db),
    ValidationRule: validationRuleModel(db),
    ValidationRuleAssignment: validationRuleAssignmentModel(db),
    Voucher: voucherModel(db),
  };
}

export type Models = ReturnType<typeof registerModels>;
