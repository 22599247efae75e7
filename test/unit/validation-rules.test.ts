import { evaluateLogic, logicRefs, LogicSyntaxError, parseLogic } from '../../src/validation-rules/logic';
import { checkRules, evaluateRules, type RuleFacts } from '../../src/validation-rules/rules';
import { discountAmount, orderAmountOf } from '../../src/redemptions/discount';

const truth = (trueIds: string[]) => (id: string) => trueIds.includes(id);

describe('rule logic parser', () => {
  it('gives and precedence over or, honours parentheses and is case-insensitive', () => {
    const tree = parseLogic('1 or 2 AND 3');
    expect(evaluateLogic(tree, truth(['1']))).toBe(true);
    expect(evaluateLogic(tree, truth(['2']))).toBe(false);
    expect(evaluateLogic(tree, truth(['2', '3']))).toBe(true);
    const grouped = parseLogic('(1 Or 2) and 3');
    expect(evaluateLogic(grouped, truth(['1']))).toBe(false);
    expect(evaluateLogic(grouped, truth(['1', '3']))).toBe(true);
    expect(logicRefs(parseLogic('((1 and 2) or (3 and 10))'))).toEqual(['1', '2', '3', '10']);
  });

  it.each(['', '1 and', '(1 or 2', '1 2', '1 xor 2', 'and 1', '1 or )', '1 & 2'])('refuses %j', (text) => {
    expect(() => parseLogic(text)).toThrow(LogicSyntaxError);
  });
});

describe('rule checks and evaluation', () => {
  const facts = (over: Partial<RuleFacts> = {}): RuleFacts => ({
    customerSegments: ['seg_a'],
    orderAmount: 5000,
    redemptionsOfCustomer: 0,
    redemptionsTotal: 0,
    ...over,
  });

  it('accepts supported rules and names the problems of others', () => {
    expect(checkRules({ '1': { name: 'customer.segment', conditions: { $is: ['seg_a'] } }, logic: '1' })).toEqual([]);
    const problems = checkRules({
      '1': { name: 'order.amount', conditions: { $more_than: ['x'] } },
      '2': { name: 'product.id', conditions: { $is: ['p'] } },
      logic: '1 and 3',
    });
    expect(problems.join('\n')).toMatch(/numbers expected/);
    expect(problems.join('\n')).toMatch(/unsupported rule "product.id"/);
    expect(problems.join('\n')).toMatch(/missing rule 3/);
    expect(checkRules({ logic: '1' })).toContain('rules: at least one numbered rule is required');
  });

  it('maps the first failing rule to its error key and message', () => {
    const rules = {
      '1': { name: 'customer.segment', conditions: { $is: ['seg_vip'] }, error: { message: 'VIPs only' } },
      '2': { name: 'order.amount', conditions: { $more_than_equal: [10000] } },
      logic: '1 and 2',
    };
    expect(evaluateRules(rules, facts())).toMatchObject({
      key: 'customer_rules_violated',
      rule: '1',
      message: 'VIPs only',
    });
    expect(evaluateRules(rules, facts({ customerSegments: ['seg_vip'] }), { message: 'whole rule' })).toMatchObject({
      key: 'order_rules_violated',
      rule: '2',
      message: 'whole rule',
    });
    expect(evaluateRules(rules, facts({ customerSegments: ['seg_vip'], orderAmount: 10000 }))).toBeNull();
    expect(evaluateRules({ ...rules, logic: '1 or 2' }, facts({ orderAmount: 20000 }))).toBeNull();
    // No logic: every rule must hold.
    expect(evaluateRules({ '1': rules['1'], '2': rules['2'] }, facts({ customerSegments: ['seg_vip'] }))?.key).toBe(
      'order_rules_violated',
    );
  });

  it('evaluates segments ($is / $is_not), amounts and redemption counts', () => {
    const notIn = { '1': { name: 'customer.segment', conditions: { $is_not: ['seg_a'] } } };
    expect(evaluateRules(notIn, facts())?.key).toBe('customer_rules_violated');
    expect(evaluateRules(notIn, facts({ customerSegments: null }))).toBeNull();
    expect(
      evaluateRules(
        { '1': { name: 'customer.segment', conditions: { $is: ['seg_a'] } } },
        facts({ customerSegments: null }),
      )?.key,
    ).toBe('customer_rules_violated');
    const amount = (op: string, v: number, amt: number | null) =>
      evaluateRules({ '1': { name: 'order.amount', conditions: { [op]: [v] } } }, facts({ orderAmount: amt })) === null;
    expect(amount('$more_than', 5000, 5000)).toBe(false);
    expect(amount('$more_than_equal', 5000, 5000)).toBe(true);
    expect(amount('$less_than', 5000, 4999)).toBe(true);
    expect(amount('$less_than_equal', 5000, 5001)).toBe(false);
    expect(amount('$is', 5000, 5000)).toBe(true);
    expect(amount('$is', 5000, null)).toBe(false);
    const once = { '1': { name: 'redemption.count.per_customer', conditions: { $less_than_or_equal: [1] } } };
    expect(evaluateRules(once, facts())).toBeNull();
    expect(evaluateRules(once, facts({ redemptionsOfCustomer: 1 }))?.key).toBe('redemption_rules_violated');
    const total = { '1': { name: 'redemption.count', conditions: { $less_than: [3] } } };
    expect(evaluateRules(total, facts({ redemptionsTotal: 1 }))).toBeNull();
    expect(evaluateRules(total, facts({ redemptionsTotal: 2 }))?.key).toBe('redemption_rules_violated');
  });
});

describe('discounts', () => {
  it('computes PERCENT with amount_limit, AMOUNT, capped at the order amount', () => {
    expect(discountAmount({ type: 'PERCENT', percent_off: 10 }, 12345)).toBe(1235);
    expect(discountAmount({ type: 'PERCENT', percent_off: 50, amount_limit: 1000 }, 10000)).toBe(1000);
    expect(discountAmount({ type: 'AMOUNT', amount_off: 500 }, 10000)).toBe(500);
    expect(discountAmount({ type: 'AMOUNT', amount_off: 5000 }, 1200)).toBe(1200);
    expect(discountAmount({ type: 'AMOUNT', amount_off: 500 }, null)).toBe(0);
    expect(orderAmountOf({ items: [{ price: 200, quantity: 3 }, { amount: 100 }] })).toBe(700);
    expect(orderAmountOf({ amount: 0 })).toBe(0);
    expect(orderAmountOf(undefined)).toBeNull();
  });
});
