/**
 * Descriptions of the customer-data variables (issue 23), folded into the variables route's
 * catalogue. `purposes`/`triggers`: what fills the variable; empty = always available.
 */
export interface CatalogVariable {
  name: string;
  description: string;
  example: string;
  purposes: string[];
  triggers: string[];
}

const ALWAYS = { purposes: [], triggers: [] };
const address = (field: string, example: string): CatalogVariable => ({
  name: `customer.address.${field}`,
  description: `The customer's address: ${field.replace('_', ' ')} (empty when not given)`,
  example,
  ...ALWAYS,
});
const CAMPAIGN_TRIGGERS = ['voucher_redeemed', 'voucher_redemption_rollback', 'voucher_published'];

export const CUSTOMER_DATA_VARIABLES: CatalogVariable[] = [
  { name: 'customer.birthdate', description: "The customer's birthdate, YYYY-MM-DD", example: '1990-04-12', ...ALWAYS },
  address('city', 'Berlin'),
  address('state', 'Berlin'),
  address('line_1', 'Torstraße 1'),
  address('line_2', '2nd floor'),
  address('country', 'Germany'),
  address('postal_code', '10119'),
  {
    name: 'customer.loyalty.points',
    description: "The customer's loyalty score: the points left on all their loyalty cards together",
    example: '1250',
    ...ALWAYS,
  },
  {
    name: 'customer.loyalty.referred_customers',
    description: 'How many customers this customer referred (distinct customers who redeemed their referral codes)',
    example: '3',
    ...ALWAYS,
  },
  {
    name: 'reward.type',
    description: 'The reward redeemed: CAMPAIGN (credits, points or a code of another campaign) or MATERIAL',
    example: 'MATERIAL',
    purposes: [],
    triggers: ['reward_redeemed'],
  },
  {
    name: 'reward.value',
    description:
      "What the reward gives, from its definition: gift credits (25.00), loyalty points (100 points), a coupon campaign's discount (15%) or the material item (its description, else its name)",
    example: '25.00',
    purposes: [],
    triggers: ['reward_redeemed'],
  },
  {
    name: 'referral.reward',
    description:
      "The referral program's reward for the referrer, as reward.value reads it; filled for a referral program's codes and for the referrer's reward event",
    example: '10.00',
    purposes: ['unique_code'],
    triggers: [...CAMPAIGN_TRIGGERS, 'reward_redeemed'],
  },
  {
    name: 'referral.reward_name',
    description: "The name of the referral program's reward for the referrer",
    example: 'Friend bonus',
    purposes: ['unique_code'],
    triggers: [...CAMPAIGN_TRIGGERS, 'reward_redeemed'],
  },
  {
    name: 'cockpit_url',
    description:
      "A signed link to the customer's own page (no login) with their active codes, QR images, balances and loyalty points; expires after COCKPIT_LINK_DAYS (30 days by default)",
    example: 'https://promo.example.com/public/cockpit?c=cust_…&exp=…&sig=…',
    ...ALWAYS,
  },
];
