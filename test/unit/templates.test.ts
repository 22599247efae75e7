import type { CustomerDoc } from '../../src/models/customer';
import { customerDoc } from '../helpers/customer-doc';
import type { VoucherDoc } from '../../src/models/voucher';
import { isKnownPath } from '../../src/templates/fields';
import { htmlToText } from '../../src/templates/html-to-text';
import { discountText, messageVariables } from '../../src/templates/message-variables';
import { rewardValue } from '../../src/rewards/reward-value';
import { renderTemplate } from '../../src/templates/render';
import { validateTemplate } from '../../src/templates/validate-template';

const customer = (over: Partial<CustomerDoc> = {}): CustomerDoc =>
  customerDoc({ metadata: { favourite_colour: 'green' }, ...over });

describe('renderTemplate', () => {
  const vars = {
    customer: { name: 'Ada <script>', metadata: { favourite_colour: 'green' } },
    voucher: { code: 'PROMO-1&2', gift: { balance: 5000 } },
  };

  it('fills placeholders with and without spaces, nested metadata included', () => {
    const out = renderTemplate(
      {
        subject: 'Hi {{customer.name}}',
        text: 'Code {{ voucher.code }}, colour {{ customer.metadata.favourite_colour }}, {{voucher.gift.balance}}',
      },
      vars,
    );
    expect(out.subject).toBe('Hi Ada <script>');
    expect(out.text).toBe('Code PROMO-1&2, colour green, 5000');
  });

  it('HTML-escapes values in html only, not the template itself', () => {
    const out = renderTemplate(
      { html: '<p>Hi {{ customer.name }}: <b>{{voucher.code}}</b></p>', text: '{{customer.name}}' },
      vars,
    );
    expect(out.html).toBe('<p>Hi Ada &lt;script&gt;: <b>PROMO-1&amp;2</b></p>');
    expect(out.text).toBe('Ada <script>');
  });

  it('renders missing values as empty, or as their default', () => {
    const out = renderTemplate(
      {
        text: 'Hi {{ customer.email }}|{{ order.id }}|{{ customer.phone | default: "friend" }}|{{ customer.name | default: \'x\' }}',
      },
      vars,
    );
    expect(out.text).toBe('Hi ||friend|Ada <script>');
  });

  it('escapes defaults in html too', () => {
    expect(renderTemplate({ html: '{{ reward.name | default: "<none>" }}' }, {}).html).toBe('&lt;none&gt;');
  });

  it('leaves fields the template does not have unset and keeps unreadable placeholders as text', () => {
    const out = renderTemplate({ text: 'a {{ not valid! }} b {{ unclosed' }, vars);
    expect(out).toEqual({ text: 'a {{ not valid! }} b {{ unclosed' });
  });

  it('does not reach prototype properties', () => {
    expect(renderTemplate({ text: '[{{ customer.constructor }}]' }, vars).text).toBe('[]');
  });
});

describe('validateTemplate', () => {
  it('accepts a complete email template', () => {
    expect(
      validateTemplate(
        'email',
        { subject: 'Hi {{ customer.name }}', html: '<p>{{ voucher.code }}</p>' },
        'channels.0.template',
      ),
    ).toEqual([]);
  });

  it('requires a subject and a body for email', () => {
    expect(validateTemplate('email', {}, 'channels.0.template')).toEqual([
      { field: 'channels.0.template.subject', reason: expect.stringContaining('subject') },
      { field: 'channels.0.template.html', reason: expect.stringContaining('body') },
    ]);
    expect(validateTemplate('email', { subject: 'x', text: 'plain only' }, 't')).toEqual([]);
  });

  it('requires nothing of a webhook template', () => {
    expect(validateTemplate('webhook', {}, 'channels.1.template')).toEqual([]);
  });

  it('reports unknown variables with their 1-based line and a suggestion', () => {
    const html = '<p>Hello</p>\n<p>{{ customer.nme }}</p>\n<p>{{ voucher.code }} {{ shop.url }}</p>';
    const problems = validateTemplate('email', { subject: 'ok', html }, 'channels.0.template');
    expect(problems).toEqual([
      {
        field: 'channels.0.template.html',
        line: 2,
        reason: 'unknown variable "customer.nme"; did you mean "customer.name"?',
      },
      { field: 'channels.0.template.html', line: 3, reason: expect.stringContaining('unknown variable "shop.url"') },
    ]);
  });

  it('reports an unclosed {{ with its line', () => {
    const problems = validateTemplate(
      'webhook',
      { text: 'line one\nline two\nthree {{ voucher.code' },
      'channels.0.template',
    );
    expect(problems).toEqual([{ field: 'channels.0.template.text', line: 3, reason: 'unclosed "{{"' }]);
  });

  it('reports a {{ closed only after another {{ as unclosed', () => {
    const problems = validateTemplate('webhook', { text: '{{ voucher.code\n{{ customer.name }}' }, 'f');
    expect(problems).toEqual([{ field: 'f.text', line: 1, reason: 'unclosed "{{"' }]);
  });

  it('reports unreadable and empty placeholders', () => {
    const problems = validateTemplate('webhook', { text: '{{ }} {{ customer.name | upper }}' }, 'f');
    expect(problems.map((p) => p.reason)).toEqual(['empty "{{ }}"', expect.stringContaining('cannot read')]);
  });

  it('knows every documented root, metadata keys and nothing past a leaf', () => {
    for (const path of [
      'customer.metadata.favourite_colour',
      'voucher.loyalty_card.points',
      'balance.points',
      'promotion.banner',
      'event.type',
      'distribution.name',
      'order.currency',
      'reward.value',
      'campaign.description',
    ]) {
      expect(isKnownPath(path)).toBe(true);
    }
    for (const path of ['customer', 'customer.metadata', 'customer.name.first', 'voucher.gift', 'nothing.here']) {
      expect(isKnownPath(path)).toBe(false);
    }
  });
});

describe('messageVariables', () => {
  const distribution = { _id: 'dist_1', name: 'Spring' };

  it('builds customer, voucher and campaign variables from docs', () => {
    const voucher = {
      _id: 'v_1',
      code: 'SPRING-42',
      campaign_id: 'camp_1',
      type: 'DISCOUNT_VOUCHER',
      discount: { type: 'PERCENT', percent_off: 15 },
      expiration_date: new Date('2026-06-30T00:00:00Z'),
      redemption: { quantity: 1, redeemed_quantity: 0 },
      active: true,
      metadata: {},
      created_at: new Date(),
      updated_at: new Date(),
    } satisfies VoucherDoc;
    const vars = messageVariables({
      customer: customer(),
      distribution,
      voucher,
      campaign: { _id: 'camp_1', name: 'Spring sale', description: 'Sun' },
    });
    expect(vars).toEqual({
      customer: {
        id: 'cust_1',
        source_id: 'ext-1',
        name: 'Ada',
        email: 'ada@example.com',
        phone: null,
        birthdate: null,
        address: { city: null, state: null, line_1: null, line_2: null, country: null, postal_code: null },
        loyalty: { points: 0, referred_customers: 0 },
        metadata: { favourite_colour: 'green' },
      },
      distribution: { id: 'dist_1', name: 'Spring' },
      voucher: {
        code: 'SPRING-42',
        type: 'DISCOUNT_VOUCHER',
        discount: '15%',
        start_date: null,
        expiration_date: '2026-06-30T00:00:00.000Z',
      },
      campaign: {
        id: 'camp_1',
        name: 'Spring sale',
        description: 'Sun',
        type: null,
        start_date: null,
        expiration_date: null,
      },
    });
    expect(
      renderTemplate(
        { text: '{{customer.name}}: {{voucher.code}} ({{voucher.discount}}) until {{voucher.expiration_date}}' },
        vars,
      ).text,
    ).toBe('Ada: SPRING-42 (15%) until 2026-06-30T00:00:00.000Z');
  });

  it('reads the order of an order event, and the event itself', () => {
    const event = {
      _id: 'evt_9',
      type: 'customer.order.paid',
      data: {
        customer: { id: 'cust_1', object: 'customer' },
        order: {
          id: 'ord_1',
          source_id: 'o-77',
          status: 'PAID',
          amount: 12000,
          total_amount: 10000,
          metadata: { currency: 'EUR' },
          object: 'order',
        },
      },
    };
    const vars = messageVariables({ customer: customer(), distribution, event });
    expect(vars.order).toEqual({
      id: 'ord_1',
      source_id: 'o-77',
      status: 'PAID',
      amount: 12000,
      total_amount: 10000,
      currency: 'EUR',
    });
    expect(vars.event).toEqual({ type: 'customer.order.paid', id: 'evt_9' });
    expect(vars.voucher).toBeUndefined();
    expect(
      renderTemplate({ text: 'Order {{order.source_id}} paid: {{ order.total_amount }} {{order.currency}}' }, vars)
        .text,
    ).toBe('Order o-77 paid: 10000 EUR');
  });

  it('reads the voucher and points of a loyalty points_added event', () => {
    const event = {
      _id: 'evt_2',
      type: 'customer.voucher.loyalty_card.points_added',
      data: {
        voucher: { id: 'v_2', code: 'LOY-1', type: 'LOYALTY_CARD', object: 'voucher' },
        balance: { amount: 250, operation_type: 'MANUAL' },
      },
    };
    const vars = messageVariables({ customer: customer(), distribution, event });
    expect(vars.voucher).toMatchObject({ code: 'LOY-1', type: 'LOYALTY_CARD' });
    expect(vars.balance).toEqual({ amount: 250, points: 250 });
  });

  it('reads the reward of a customer.rewarded event, with the value its definition gives', () => {
    const mug = { type: 'MATERIAL' as const, name: 'Mug', parameters: {}, attributes: { description: 'A blue mug' } };
    const event = {
      _id: 'evt_3',
      type: 'customer.rewarded',
      data: {
        reward: { id: 'rew_1', name: 'Mug', type: 'MATERIAL', value: rewardValue(mug, null) },
        voucher: { code: 'LOY-1' },
      },
    };
    expect(messageVariables({ customer: customer(), distribution, event }).reward).toEqual({
      id: 'rew_1',
      name: 'Mug',
      type: 'MATERIAL',
      value: 'A blue mug',
    });
  });

  it('values a reward by its definition: gift credits, loyalty points, a coupon discount, a material item', () => {
    const campaignReward = (balance?: number) => ({
      type: 'CAMPAIGN' as const,
      name: 'R',
      attributes: {},
      parameters: { campaign: { id: 'camp_1', ...(balance !== undefined ? { balance } : {}) } },
    });
    const voucher = (discount?: Record<string, unknown>) =>
      ({
        type: 'DISCOUNT_VOUCHER',
        code_config: { length: 8, charset: 'A' },
        ...(discount ? { discount } : {}),
      }) as never;
    expect(rewardValue(campaignReward(2500), { campaign_type: 'GIFT_VOUCHERS', voucher: voucher() })).toBe('25.00');
    expect(rewardValue(campaignReward(100), { campaign_type: 'LOYALTY_PROGRAM', voucher: voucher() })).toBe(
      '100 points',
    );
    expect(
      rewardValue(campaignReward(), {
        campaign_type: 'DISCOUNT_COUPONS',
        voucher: voucher({ type: 'PERCENT', percent_off: 15 }),
      }),
    ).toBe('15%');
    expect(rewardValue({ type: 'MATERIAL', name: 'Tote bag', parameters: {}, attributes: {} }, null)).toBe('Tote bag');
    expect(rewardValue(campaignReward(), null)).toBeNull();
  });

  it('prefers the given voucher over the event one', () => {
    const event = {
      _id: 'e',
      type: 'voucher.published',
      data: { voucher: { code: 'FROM-EVENT' }, campaign: { id: 'c', name: 'From event' } },
    };
    const vars = messageVariables({
      customer: customer(),
      distribution,
      event,
      voucher: { code: 'GIVEN', gift: { balance: 100, amount: 200 } },
    });
    expect(vars.voucher).toMatchObject({ code: 'GIVEN', gift: { balance: 100, amount: 200 } });
    expect(vars.campaign).toEqual({
      id: 'c',
      name: 'From event',
      description: null,
      type: null,
      start_date: null,
      expiration_date: null,
    });
  });

  it('describes discounts as customers read them', () => {
    expect(discountText({ type: 'AMOUNT', amount_off: 1050 })).toBe('10.50');
    expect(discountText({ type: 'UNIT', unit_off: 2, unit_type: 'coffee' })).toBe('2 × coffee');
    expect(discountText(undefined)).toBeNull();
  });
});

describe('htmlToText', () => {
  it('keeps text, line structure and link targets, and decodes entities', () => {
    const html =
      '<html><head><style>p{color:red}</style></head><body><h1>Hi Ada</h1><p>Use <b>CODE&amp;1</b><br>today&nbsp;only</p><ul><li>one</li><li>two</li></ul><p><a href="https://shop.test/x">Shop now</a></p></body></html>';
    expect(htmlToText(html)).toBe('Hi Ada\nUse CODE&1\ntoday only\n- one\n- two\n\nShop now (https://shop.test/x)');
  });
});
