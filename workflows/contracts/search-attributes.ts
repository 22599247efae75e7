import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that let an operator filter distributions in the Temporal
 * Web UI (e.g. `DistributionStatus="scheduled"`). Keywords only: they are exact-match
 * filters and the SQL visibility store has ten Keyword slots. Never put PII here.
 */
export const DistributionIdKey = defineSearchAttributeKey('DistributionId', SearchAttributeType.KEYWORD);
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const TriggerKey = defineSearchAttributeKey('Trigger', SearchAttributeType.KEYWORD);
export const DistributionStatusKey = defineSearchAttributeKey('DistributionStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [DistributionIdKey, CampaignIdKey, TriggerKey, DistributionStatusKey];
