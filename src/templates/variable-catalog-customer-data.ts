/** What the variables route says of one variable besides what fills it (computed from the scope table). */
export interface Description {
  name: string;
  description: string;
  example: string;
}

/** Descriptions of the customer-data variables (issue 23), part of the variables route's catalogue. */
const address = (field: string, example: string): Description => ({
  name: `customer.address.${field}`,
  description: `The customer's address: ${field.replace('_', ' ')} (empty when not given)`,
  example,
});

export const CUSTOMER_DATA_VARIABLES: readonly Description[] = [
  { name: 'customer.birthdate', description: "The customer's birthdate, YYYY-MM-DD", example: '1990-04-12' },
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
  },
  {
    name: 'customer.loyalty.referred_customers',
    description: 'How many customers this customer referred (distinct customers who redeemed their referral codes)',
    example: '3',
  },
  {
    name: 'reward.type',
    description: 'The reward redeemed: CAMPAIGN (credits, points or a code of another campaign) or MATERIAL',
    example: 'MATERIAL',
  },
  {
    name: 'reward.value',
    description:
      "What the reward gives, from its definition: gift credits (25.00), loyalty points (100 points), a coupon campaign's discount (15%) or the material item (its description, else its name)",
    example: '25.00',
  },
  {
    name: 'referral.reward',
    description:
      "The referral program's reward for the referrer, as reward.value reads it; filled for a referral program's codes and for the referrer's reward event",
    example: '10.00',
  },
  {
    name: 'referral.reward_name',
    description: "The name of the referral program's reward for the referrer",
    example: 'Friend bonus',
  },
  {
    name: 'cockpit_url',
    description:
      "A signed link to the customer's own page (no login) with their active codes, QR images, balances and loyalty points; expires after COCKPIT_LINK_DAYS (30 days by default)",
    example: 'https://promo.example.com/public/cockpit?c=cust_…&exp=…&sig=…',
  },
];
