import { variableScope } from '../../src/distributions/variable-scope';
import type { DistributionPurpose, DistributionTrigger } from '../../src/models/distribution';
import { validateTemplate } from '../../src/templates/validate-template';

const plain: DistributionPurpose = { type: 'plain' };
const codes: DistributionPurpose = { type: 'unique_code', campaign_id: 'camp_1' };
const promotion: DistributionPurpose = { type: 'promotion', promotion_tier_id: 'promo_1' };
const manual: DistributionTrigger = { type: 'manual' };
const on = (type: DistributionTrigger['type']): DistributionTrigger => ({ type });

/** Which families each (trigger, purpose) fills: the rest are refused when saved. */
describe('variableScope', () => {
  const families = [
    'customer',
    'distribution',
    'voucher',
    'loyalty',
    'gift',
    'campaign',
    'promotion',
    'order',
    'reward',
    'balance',
    'event',
  ];
  const filled = (trigger: DistributionTrigger, purpose: DistributionPurpose) =>
    families.filter((f) => variableScope(trigger, purpose).has(f));

  it.each([
    ['manual plain', manual, plain, ['customer', 'distribution']],
    ['manual unique_code', manual, codes, ['customer', 'distribution', 'voucher', 'loyalty', 'gift', 'campaign']],
    ['manual promotion', manual, promotion, ['customer', 'distribution', 'promotion']],
    ['order_paid plain', on('order_paid'), plain, ['customer', 'distribution', 'order', 'event']],
    [
      'voucher_redeemed plain',
      on('voucher_redeemed'),
      plain,
      ['customer', 'distribution', 'voucher', 'loyalty', 'gift', 'campaign', 'promotion', 'order', 'event'],
    ],
    [
      'reward_redeemed plain',
      on('reward_redeemed'),
      plain,
      ['customer', 'distribution', 'voucher', 'loyalty', 'gift', 'reward', 'event'],
    ],
    [
      'loyalty_points_added plain',
      on('loyalty_points_added'),
      plain,
      ['customer', 'distribution', 'voucher', 'loyalty', 'gift', 'balance', 'event'],
    ],
    ['customer_entered_segment plain', on('customer_entered_segment'), plain, ['customer', 'distribution', 'event']],
  ] as const)('%s', (_name, trigger, purpose, expected) => {
    expect(filled(trigger, purpose)).toEqual(expected);
  });

  it('refuses voucher.* in a plain distribution, naming the field, the line and what would fill it', () => {
    const problems = validateTemplate(
      'webhook',
      { text: 'Hello {{customer.name}}\nyour code: {{ voucher.code }}' },
      'channels.0.template',
      variableScope(manual, plain),
    );
    expect(problems).toEqual([
      {
        field: 'channels.0.template.text',
        line: 2,
        reason: expect.stringMatching(
          /^variable "voucher.code": voucher\.\* has no value in a manual plain distribution: it needs a unique_code purpose/,
        ),
      },
    ]);
  });

  it('refuses promotion.* outside the promotion purpose and order.* outside order triggers, in blocks too', () => {
    const scope = variableScope(on('customer_entered_segment'), codes);
    const problems = validateTemplate(
      'email',
      { subject: '{{promotion.name}}', blocks: [{ type: 'text', content: 'Total {{order.amount}}' }] },
      'channels.1.template',
      scope,
    );
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['channels.1.template.subject', 1],
      ['channels.1.template.blocks.0.content', 1],
    ]);
    expect(problems[0]!.reason).toContain(
      'promotion.* has no value in a unique_code distribution triggered by customer_entered_segment: it needs the promotion purpose or the trigger voucher_redeemed',
    );
    expect(problems[1]!.reason).toContain('order.* has no value');
  });

  it('accepts what the distribution fills, and checks nothing without a scope (saved templates)', () => {
    expect(
      validateTemplate(
        'webhook',
        { text: '{{voucher.code}} {{campaign.name}} {{customer.name}}' },
        't',
        variableScope(manual, codes),
      ),
    ).toEqual([]);
    expect(
      validateTemplate(
        'webhook',
        { text: '{{order.id}} {{event.type}}' },
        't',
        variableScope(on('order_created'), plain),
      ),
    ).toEqual([]);
    expect(validateTemplate('webhook', { text: '{{order.id}} {{voucher.code}}' }, 't')).toEqual([]);
  });
});
