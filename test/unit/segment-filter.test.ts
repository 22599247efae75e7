import {
  filterFields,
  matchesSegmentFilter,
  toVoucherifyFilter,
  validateSegmentFilter,
  type CustomerView,
  type SegmentFilter,
} from '../../src/segments/filter';

// A Saturday noon, so "today" and "N days ago" are unambiguous in UTC.
const NOW = new Date('2024-06-15T12:00:00Z');

const customer: CustomerView = {
  id: 'cust_1',
  source_id: 'crm-1',
  name: 'Anna Schmidt',
  email: 'Anna@Example.COM',
  phone: '+49 30 1234',
  description: null,
  birthdate: '1990-06-20',
  created_at: '2023-01-10T08:00:00.000Z',
  updated_at: '2024-06-14T09:30:00.000Z',
  address: { city: 'Berlin', country: 'DE', postal_code: '10115', line_1: null },
  metadata: {
    club_level: 'Gold',
    vip: true,
    newsletter: 'false',
    age: 34,
    visits: '12',
    tags: ['coffee', 'tea'],
    profile: { tier: { name: 'Platinum' } },
    signed_up_on: '2024-06-01',
    renewal_date: '2024-06-25T00:00:00Z',
  },
  summary: {
    orders: {
      total_amount: 12500,
      total_count: 7,
      average_amount: 1785.71,
      last_order_amount: 2000,
      last_order_date: '2024-06-05T18:00:00Z',
    },
    redemptions: { total_redeemed: 3, total_succeeded: 2, total_failed: 1, total_rolled_back: 0 },
  },
  loyalty: { points: 420, referred_customers: 2 },
  system_metadata: { source: 'web_widget' },
};

function parse(input: unknown): SegmentFilter {
  const result = validateSegmentFilter(input);
  if (!result.ok) throw new Error(`unexpected invalid filter: ${JSON.stringify(result.errors)}`);
  return result.filter;
}

function matches(field: string, conditions: Record<string, unknown>, who: CustomerView = customer): boolean {
  return matchesSegmentFilter(parse({ junction: 'and', [field]: { conditions } }), who, NOW);
}

function errorsOf(input: unknown) {
  const result = validateSegmentFilter(input);
  if (result.ok) throw new Error('expected the filter to be refused');
  return result.errors;
}

type Row = [field: string, conditions: Record<string, unknown>, expected: boolean];

describe('matchesSegmentFilter', () => {
  describe('equality: $is, $is_not, $in, $not_in', () => {
    it.each<Row>([
      ['address.city', { $is: ['Berlin'] }, true],
      ['address.city', { $is: ['berlin'] }, false],
      ['address.city', { $is: 'Berlin' }, true],
      ['address.city', { $is_not: ['Munich'] }, true],
      ['address.city', { $is_not: ['Berlin'] }, false],
      ['metadata.club_level', { $in: ['Gold', 'Silver'] }, true],
      ['metadata.club_level', { $in: ['Bronze', 'Silver'] }, false],
      ['metadata.club_level', { $not_in: ['Gold'] }, false],
      ['metadata.club_level', { $not_in: ['Bronze'] }, true],
      ['address.postal_code', { $is: [10115] }, true],
      ['system_metadata.source', { $is: ['web_widget'] }, true],
      ['id', { $in: ['cust_2', 'cust_1'] }, true],
      ['metadata.tags', { $in: ['tea'] }, true],
      ['metadata.tags', { $not_in: ['tea'] }, false],
    ])('%s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });
  });

  describe('numeric and boolean coercion', () => {
    it.each<Row>([
      ['summary.orders.total_count', { $is: ['7'] }, true],
      ['summary.orders.total_count', { $in: [6, 8] }, false],
      ['loyalty.points', { $more_than: ['400'] }, true],
      ['metadata.age', { $is: ['34'] }, true],
      ['metadata.visits', { $is: [12] }, true],
      ['metadata.visits', { $more_than: [10] }, true],
      ['metadata.vip', { $is: [true] }, true],
      ['metadata.vip', { $is: ['true'] }, true],
      ['metadata.vip', { $is: [false] }, false],
      ['metadata.newsletter', { $is: [false] }, true],
    ])('%s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });
  });

  describe('presence: $has_value, $is_unknown', () => {
    it.each<Row>([
      ['name', { $has_value: true }, true],
      ['name', { $has_value: '' }, true],
      ['name', { $has_value: [true] }, true],
      ['name', { $is_unknown: true }, false],
      ['description', { $has_value: true }, false],
      ['description', { $is_unknown: true }, true],
      ['address.line_1', { $is_unknown: '' }, true],
      ['address.state', { $is_unknown: true }, true],
      ['metadata.profile', { $has_value: true }, true],
    ])('%s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });

    it('treats an empty string or empty array as no value', () => {
      expect(matches('name', { $has_value: true }, { name: '' })).toBe(false);
      expect(matches('metadata.tags', { $is_unknown: true }, { metadata: { tags: [] } })).toBe(true);
    });
  });

  describe('text: case-insensitive $contains, $not_contain, $starts_with, $ends_with', () => {
    it.each<Row>([
      ['email', { $ends_with: ['.com'] }, true],
      ['email', { $ends_with: ['.de', '.com'] }, true],
      ['email', { $ends_with: ['.de'] }, false],
      ['email', { $starts_with: ['anna@'] }, true],
      ['email', { $starts_with: ['example'] }, false],
      ['email', { $contains: ['EXAMPLE'] }, true],
      ['email', { $contains: ['gmail'] }, false],
      ['email', { $not_contain: ['gmail'] }, true],
      ['email', { $not_contain: ['gmail', 'example'] }, false],
      ['phone', { $starts_with: '+49' }, true],
      ['metadata.tags', { $contains: ['off'] }, true],
    ])('%s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });
  });

  describe('numbers: $more_than, $less_than and the _equal variants', () => {
    it.each<Row>([
      ['summary.orders.total_amount', { $more_than: [10000] }, true],
      ['summary.orders.total_amount', { $more_than: [12500] }, false],
      ['summary.orders.total_amount', { $more_than_equal: [12500] }, true],
      ['summary.orders.total_amount', { $less_than: [12500] }, false],
      ['summary.orders.total_amount', { $less_than_equal: [12500] }, true],
      ['summary.orders.average_amount', { $less_than: [1785.72] }, true],
      ['summary.redemptions.total_failed', { $less_than: [1] }, false],
      ['loyalty.referred_customers', { $less_than: 3 }, true],
      ['metadata.age', { $less_than: [40] }, true],
    ])('%s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });

    it('requires every operator in one conditions object to hold', () => {
      expect(matches('loyalty.points', { $more_than: [400], $less_than: [500] })).toBe(true);
      expect(matches('loyalty.points', { $more_than: [400], $less_than: [410] })).toBe(false);
    });
  });

  describe('dates, with now = 2024-06-15T12:00Z', () => {
    // last_order_date is 2024-06-05 (10 days ago); renewal_date is 2024-06-25 (10 days ahead).
    it.each<Row>([
      ['summary.orders.last_order_date', { $less_than: [30] }, true],
      ['summary.orders.last_order_date', { $less_than: [10] }, false],
      ['summary.orders.last_order_date', { $less_than_equal: [10] }, true],
      ['summary.orders.last_order_date', { $more_than: [9] }, true],
      ['summary.orders.last_order_date', { $more_than: [10] }, false],
      ['summary.orders.last_order_date', { $more_than_equal: [10] }, true],
      ['summary.orders.last_order_date', { $is_days_ago: [10] }, true],
      ['summary.orders.last_order_date', { $is_days_ago: [9] }, false],
      ['summary.orders.last_order_date', { $less_than_ago: [11] }, true],
      ['summary.orders.last_order_date', { $more_than_ago: [30] }, false],
      ['created_at', { $more_than_ago: [365] }, true],
      ['updated_at', { $is_days_ago: [1] }, true],
      ['metadata.renewal_date', { $is_days_in_future: [10] }, true],
      ['metadata.renewal_date', { $is_days_in_future: [9] }, false],
      ['metadata.renewal_date', { $more_than_future: [7] }, true],
      ['metadata.renewal_date', { $more_than_future: [10] }, false],
      ['metadata.renewal_date', { $less_than_future: [11] }, true],
      ['metadata.renewal_date', { $less_than_future: [7] }, false],
      ['metadata.renewal_date', { $less_than_ago: [30] }, false],
      ['metadata.signed_up_on', { $more_than: [7] }, true],
      ['metadata.signed_up_on', { $is_days_ago: [14] }, true],
      ['metadata.club_level', { $more_than_ago: [1] }, false],
    ])('%s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });

    it.each<Row>([
      ['summary.orders.last_order_date', { $after: ['2024-06-01'] }, true],
      ['summary.orders.last_order_date', { $after: ['2024-06-05'] }, false],
      ['summary.orders.last_order_date', { $after: ['2024-06-05T17:00:00Z'] }, true],
      ['summary.orders.last_order_date', { $before: ['2024-06-06'] }, true],
      ['summary.orders.last_order_date', { $before: ['2024-06-05'] }, false],
      ['summary.orders.last_order_date', { $before: ['2024-06-05T18:00:00Z'] }, false],
      ['summary.orders.last_order_date', { $before: ['2024-06-05T21:00:00+02:00'] }, true],
      ['birthdate', { $before: ['2000-01-01'] }, true],
      ['metadata.signed_up_on', { $after: ['2024-05-31'] }, true],
      ['metadata.club_level', { $after: ['2024-01-01'] }, false],
    ])('$after / $before: %s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });

    it.each<Row>([
      ['birthdate', { $is: ['1990-06-20'] }, true],
      ['created_at', { $is: ['2023-01-10'] }, true],
      ['created_at', { $is: ['2023-01-10T08:00:00Z'] }, true],
      ['created_at', { $is: ['2023-01-10T08:00:01Z'] }, false],
    ])('$is on a date field: %s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });

    it('counts calendar days in UTC, whatever the time of day or offset', () => {
      expect(matches('updated_at', { $is_days_ago: [0] }, { updated_at: '2024-06-15T23:59:00Z' })).toBe(true);
      // 01:00 at +02:00 is still the 14th in UTC.
      expect(matches('updated_at', { $is_days_ago: [1] }, { updated_at: '2024-06-15T01:00:00+02:00' })).toBe(true);
      expect(
        matches(
          'summary.orders.last_order_date',
          { $less_than: [1] },
          { summary: { orders: { last_order_date: '2024-06-15T00:00:00Z' } } },
        ),
      ).toBe(true);
    });

    it('does not count a future date as "less than N days ago"', () => {
      expect(
        matches(
          'summary.orders.last_order_date',
          { $less_than: [30] },
          { summary: { orders: { last_order_date: '2024-06-16' } } },
        ),
      ).toBe(false);
    });

    it('reads the deprecated birthday field when birthdate is absent', () => {
      expect(matches('birthdate', { $is: ['1990-06-20'] }, { birthday: '1990-06-20' })).toBe(true);
    });

    it('refuses an invalid now', () => {
      expect(() =>
        matchesSegmentFilter(parse({ name: { conditions: { $has_value: true } } }), customer, new Date('x')),
      ).toThrow(RangeError);
    });
  });

  describe('a missing field', () => {
    it.each<[operator: string, operand: unknown, expected: boolean]>([
      ['$is_unknown', true, true],
      ['$has_value', true, false],
      ['$is_not', ['x'], true],
      ['$not_in', ['x'], true],
      ['$not_contain', ['x'], true],
      ['$is', ['x'], false],
      ['$in', ['x'], false],
      ['$contains', ['x'], false],
      ['$starts_with', ['x'], false],
      ['$ends_with', ['x'], false],
      ['$more_than', [0], false],
      ['$less_than', [1000], false],
      ['$more_than_equal', [0], false],
      ['$less_than_equal', [1000], false],
      ['$after', ['2000-01-01'], false],
      ['$before', ['2100-01-01'], false],
      ['$is_days_ago', [0], false],
      ['$is_days_in_future', [0], false],
      ['$more_than_ago', [0], false],
      ['$less_than_ago', [1000], false],
      ['$more_than_future', [0], false],
      ['$less_than_future', [1000], false],
    ])('%s %j → %s', (operator, operand, expected) => {
      expect(matches('metadata.absent', { [operator]: operand })).toBe(expected);
      expect(matches('metadata.absent', { [operator]: operand }, {})).toBe(expected);
    });
  });

  describe('nested metadata paths', () => {
    it.each<Row>([
      ['metadata.profile.tier.name', { $is: ['Platinum'] }, true],
      ['metadata.profile.tier.name', { $starts_with: ['plat'] }, true],
      ['metadata.profile.tier.rank', { $is_unknown: true }, true],
      ['metadata.club_level.name', { $is_unknown: true }, true],
      ['metadata.constructor', { $is_unknown: true }, true],
    ])('%s %j → %s', (field, conditions, expected) => {
      expect(matches(field, conditions)).toBe(expected);
    });
  });

  describe('junctions and groups', () => {
    const berlin = { conditions: { $is: ['Berlin'] } };
    const bronze = { conditions: { $in: ['Bronze'] } };

    it.each([
      ['and', false],
      ['or', true],
      ['OR', true],
      ['And', false],
      [undefined, false],
    ])('junction %p over a true and a false entry → %s', (junction, expected) => {
      const filter = parse({ junction, 'address.city': berlin, 'metadata.club_level': bronze });
      expect(matchesSegmentFilter(filter, customer, NOW)).toBe(expected);
    });

    it('combines and with a nested or group', () => {
      const filter = (minPoints: number) =>
        parse({
          junction: 'and',
          'address.city': berlin,
          group_1: {
            junction: 'or',
            'metadata.club_level': bronze,
            'loyalty.points': { conditions: { $more_than: [minPoints] } },
          },
        });
      expect(matchesSegmentFilter(filter(400), customer, NOW)).toBe(true);
      expect(matchesSegmentFilter(filter(500), customer, NOW)).toBe(false);
    });

    it('evaluates groups nested several levels deep', () => {
      const filter = parse({
        junction: 'or',
        'metadata.club_level': bronze,
        a: {
          junction: 'and',
          name: { conditions: { $has_value: true } },
          b: { junction: 'or', email: { conditions: { $ends_with: ['.com'] } } },
        },
      });
      expect(matchesSegmentFilter(filter, customer, NOW)).toBe(true);
      expect(matchesSegmentFilter(filter, { ...customer, email: 'anna@example.de' }, NOW)).toBe(false);
    });
  });
});

describe('filterFields', () => {
  it('lists each field path once, including those inside groups', () => {
    const filter = parse({
      email: { conditions: { $ends_with: ['.com'] } },
      g: {
        junction: 'or',
        'metadata.tier': { conditions: { $is: ['Gold'] } },
        email: { conditions: { $contains: ['x'] } },
      },
    });
    expect(filterFields(filter)).toEqual(['email', 'metadata.tier']);
  });
});

describe('toVoucherifyFilter', () => {
  it('gives back the Voucherify shape with lowercase junctions and array operands', () => {
    const input = {
      junction: 'OR',
      'address.city': { conditions: { $is: 'Berlin' } },
      name: { conditions: { $has_value: '' } },
      g: { junction: 'AND', 'loyalty.points': { conditions: { $more_than: [10], $less_than: [20] } } },
    };
    expect(toVoucherifyFilter(parse(input))).toEqual({
      junction: 'or',
      'address.city': { conditions: { $is: ['Berlin'] } },
      name: { conditions: { $has_value: true } },
      g: { junction: 'and', 'loyalty.points': { conditions: { $more_than: [10], $less_than: [20] } } },
    });
  });
});

describe('validateSegmentFilter', () => {
  const name = { conditions: { $has_value: true } };

  it('accepts the documented example', () => {
    const result = validateSegmentFilter({
      junction: 'and',
      'address.city': { conditions: { $is: ['Berlin'] } },
      'metadata.club_level': { conditions: { $in: ['Gold', 'Silver'] } },
      email: { conditions: { $ends_with: ['.com'] } },
      'summary.orders.last_order_date': { conditions: { $less_than: [30] } },
      name: { conditions: { $has_value: true } },
    });
    expect(result.ok).toBe(true);
  });

  it.each<[what: string, input: unknown, field: string, reason: string | RegExp]>([
    ['a string filter', 'name', '(root)', 'must be an object, got "name"'],
    ['a null filter', null, '(root)', 'must be an object, got null'],
    ['an array filter', [], '(root)', 'must be an object, got an array'],
    ['an empty filter', { junction: 'and' }, '(root)', /has no entries/],
    ['an unknown junction', { junction: 'xor', name }, 'junction', 'must be "and" or "or", got "xor"'],
    ['a non-string junction', { junction: true, name }, 'junction', 'must be "and" or "or", got true'],
    ['an entry that is a bare value', { name: 'Anna' }, 'name', /must be \{"conditions"/],
    ['an entry with neither conditions nor junction', { name: { $is: ['Anna'] } }, 'name', /must be \{"conditions"/],
    ['an unknown field path', { 'address.zip': { conditions: { $is: ['1'] } } }, 'address.zip', 'unknown field path'],
    ['metadata without a key', { metadata: { conditions: { $is: ['1'] } } }, 'metadata', 'unknown field path'],
    [
      'an empty metadata segment',
      { 'metadata..a': { conditions: { $is: ['1'] } } },
      'metadata..a',
      'unknown field path',
    ],
    ['a stray key in an entry', { name: { ...name, junction: 'or' } }, 'name.junction', /unknown key/],
    [
      'an unknown operator',
      { name: { conditions: { $equals: ['x'] } } },
      'name.conditions.$equals',
      'unknown operator',
    ],
    [
      'an unsupported operator',
      { name: { conditions: { $count: [1] } } },
      'name.conditions.$count',
      'operator is not supported',
    ],
    [
      'a number operator on a string field',
      { name: { conditions: { $more_than: [1] } } },
      'name.conditions.$more_than',
      'operator does not apply to a string field',
    ],
    [
      'a text operator on a number field',
      { 'loyalty.points': { conditions: { $contains: ['1'] } } },
      'loyalty.points.conditions.$contains',
      'operator does not apply to a number field',
    ],
    ['empty conditions', { name: { conditions: {} } }, 'name.conditions', 'must contain at least one operator'],
    [
      'conditions that are not an object',
      { name: { conditions: ['$is'] } },
      'name.conditions',
      /must be an object of operators/,
    ],
    [
      'a non-numeric operand on a number',
      { 'summary.orders.total_count': { conditions: { $more_than: ['abc'] } } },
      'summary.orders.total_count.conditions.$more_than',
      'expected a number, got "abc"',
    ],
    [
      'a non-numeric $in on a number',
      { 'loyalty.points': { conditions: { $in: [1, 'x'] } } },
      'loyalty.points.conditions.$in',
      'value 2: expected a number, got "x"',
    ],
    [
      'an invalid date',
      { created_at: { conditions: { $after: ['not a date'] } } },
      'created_at.conditions.$after',
      'expected an ISO 8601 date or datetime, got "not a date"',
    ],
    [
      'an impossible date',
      { created_at: { conditions: { $before: ['2024-02-30'] } } },
      'created_at.conditions.$before',
      /ISO 8601/,
    ],
    [
      'an empty $in',
      { 'metadata.tier': { conditions: { $in: [] } } },
      'metadata.tier.conditions.$in',
      'must list at least one value',
    ],
    [
      '$has_value: 5',
      { name: { conditions: { $has_value: 5 } } },
      'name.conditions.$has_value',
      'must be true or "", got 5',
    ],
    [
      '$is_unknown: false',
      { name: { conditions: { $is_unknown: false } } },
      'name.conditions.$is_unknown',
      'must be true or "", got false',
    ],
    [
      'two values for a single-value operator',
      { 'loyalty.points': { conditions: { $more_than: [1, 2] } } },
      'loyalty.points.conditions.$more_than',
      'takes exactly one value, got 2',
    ],
    [
      'negative days',
      { created_at: { conditions: { $less_than: [-1] } } },
      'created_at.conditions.$less_than',
      'expected a non-negative number of days, got -1',
    ],
    [
      'fractional days for $is_days_ago',
      { created_at: { conditions: { $is_days_ago: [1.5] } } },
      'created_at.conditions.$is_days_ago',
      /whole non-negative number/,
    ],
    [
      'an empty $contains',
      { email: { conditions: { $contains: [''] } } },
      'email.conditions.$contains',
      'expected a non-empty string, got ""',
    ],
    [
      'an object operand',
      { 'metadata.tier': { conditions: { $is: [{ a: 1 }] } } },
      'metadata.tier.conditions.$is',
      'expected a string, number or boolean, got an object',
    ],
    [
      'a boolean on a string field',
      { name: { conditions: { $is: [true] } } },
      'name.conditions.$is',
      'expected a string, got true',
    ],
    ['an empty nested group', { name, g: { junction: 'or' } }, 'g', /has no entries/],
    [
      'an unknown junction in a group',
      { g: { junction: 'nor', name } },
      'g.junction',
      'must be "and" or "or", got "nor"',
    ],
    [
      'an error inside a group',
      { g: { junction: 'or', 'metadata.a': { conditions: { $in: [] } } } },
      'g.metadata.a.conditions.$in',
      'must list at least one value',
    ],
  ])('refuses %s', (_what, input, field, reason) => {
    expect(errorsOf(input)).toEqual([
      { field, reason: reason instanceof RegExp ? expect.stringMatching(reason) : reason },
    ]);
  });

  it('collects every error rather than stopping at the first', () => {
    const errors = errorsOf({
      junction: 'maybe',
      'address.zip': { conditions: { $is: ['1'] } },
      email: { conditions: { $bogus: [1], $ends_with: [] } },
      'loyalty.points': { conditions: {} },
    });
    expect(errors.map((e) => e.field)).toEqual([
      'junction',
      'address.zip',
      'email.conditions.$bogus',
      'email.conditions.$ends_with',
      'loyalty.points.conditions',
    ]);
  });

  describe('limits', () => {
    const nest = (levels: number): Record<string, unknown> => {
      let filter: Record<string, unknown> = { junction: 'and', name };
      for (let level = levels; level > 1; level--) filter = { junction: 'or', name, [`g${level}`]: filter };
      return filter;
    };

    it('accepts groups down to level 5 and refuses level 6', () => {
      expect(validateSegmentFilter(nest(5)).ok).toBe(true);
      expect(errorsOf(nest(6))).toEqual([{ field: 'g2.g3.g4.g5.g6', reason: 'nests deeper than 5 levels' }]);
    });

    const withConditions = (count: number) =>
      Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`metadata.k${i}`, { conditions: { $is: [String(i)] } }]),
      );

    it('accepts 100 conditions and refuses 101', () => {
      expect(validateSegmentFilter(withConditions(100)).ok).toBe(true);
      expect(errorsOf(withConditions(101))).toEqual([
        { field: '(root)', reason: 'has 101 conditions; at most 100 are allowed' },
      ]);
    });

    it('counts several operators on one field and conditions inside groups', () => {
      const filter = {
        ...withConditions(98),
        g: { junction: 'or', 'loyalty.points': { conditions: { $more_than: [1], $less_than: [9], $is_not: [5] } } },
      };
      expect(errorsOf(filter)).toEqual([{ field: '(root)', reason: 'has 101 conditions; at most 100 are allowed' }]);
    });
  });
});
