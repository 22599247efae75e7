import {
  DEFAULT_FIELD_MAP,
  externalIdOf,
  fieldMapOf,
  profileValues,
  validateFieldMap,
} from '../../src/channels/profile-fields';

const variables: Record<string, unknown> = {
  customer: {
    id: 'cust_1',
    source_id: 'ext-1',
    name: 'Ada',
    email: 'ada@example.com',
    phone: null,
    metadata: { tier: 'gold', visits: 3, prefs: { lang: 'en' } },
  },
  voucher: {
    code: 'SPRING-42',
    type: 'DISCOUNT_VOUCHER',
    discount: '10%',
    start_date: null,
    expiration_date: '2026-06-30T00:00:00.000Z',
    loyalty_card: { balance: 120, points: 120 },
  },
  distribution: { id: 'dist_1', name: 'Spring' },
};

describe('validateFieldMap', () => {
  it('accepts an absent map (the default applies) and a map of known variable paths', () => {
    expect(validateFieldMap(undefined)).toEqual([]);
    expect(
      validateFieldMap({
        promo_code: 'voucher.code',
        promo_expires: 'voucher.expiration_date',
        tier: 'customer.metadata.tier',
      }),
    ).toEqual([]);
  });

  it('refuses a map that is not an object, or is empty', () => {
    expect(validateFieldMap('voucher.code')).toEqual([
      'fields must be an object mapping a profile field name to a variable path',
    ]);
    expect(validateFieldMap(['voucher.code'])).toEqual([
      'fields must be an object mapping a profile field name to a variable path',
    ]);
    expect(validateFieldMap({})).toEqual(['fields must name at least one profile field']);
  });

  it('refuses an empty field name, a non-string path and an unknown path, suggesting the closest known one', () => {
    expect(validateFieldMap({ ' ': 'voucher.code' })).toEqual(['fields: a profile field name must not be empty']);
    expect(validateFieldMap({ promo_code: 42 })).toEqual([
      'fields.promo_code must be a variable path such as "voucher.code"',
    ]);
    expect(validateFieldMap({ promo_code: 'voucher.cod' })).toEqual([
      'fields.promo_code: unknown variable "voucher.cod" (did you mean "voucher.code"?)',
    ]);
    expect(validateFieldMap({ meta: 'customer.metadata' })[0]).toMatch(
      /^fields\.meta: unknown variable "customer\.metadata"/,
    );
  });
});

describe('fieldMapOf', () => {
  it('is the settings map when given, else the published code as promo_code', () => {
    expect(fieldMapOf({ fields: { CODE: 'voucher.code' } })).toEqual({ CODE: 'voucher.code' });
    expect(fieldMapOf({})).toEqual({ promo_code: 'voucher.code' });
    expect(DEFAULT_FIELD_MAP).toEqual({ promo_code: 'voucher.code' });
  });
});

describe('profileValues', () => {
  it('takes each mapped variable: strings, numbers and metadata entries as they are', () => {
    expect(
      profileValues(
        {
          promo_code: 'voucher.code',
          promo_expires: 'voucher.expiration_date',
          first_name: 'customer.name',
          tier: 'customer.metadata.tier',
          visits: 'customer.metadata.visits',
          points: 'voucher.loyalty_card.points',
        },
        variables,
      ),
    ).toEqual({
      promo_code: 'SPRING-42',
      promo_expires: '2026-06-30T00:00:00.000Z',
      first_name: 'Ada',
      tier: 'gold',
      visits: 3,
      points: 120,
    });
  });

  it('gives null for a missing variable, so the profile drops a stale value', () => {
    expect(
      profileValues({ starts: 'voucher.start_date', order: 'order.id', nope: 'customer.metadata.absent' }, variables),
    ).toEqual({ starts: null, order: null, nope: null });
  });

  it('writes dates as ISO text and objects as JSON', () => {
    const vars = {
      voucher: { code: 'X', expiration_date: new Date('2026-07-01T10:00:00Z') },
      customer: { metadata: { prefs: { lang: 'en' } } },
    };
    expect(profileValues({ exp: 'voucher.expiration_date', prefs: 'customer.metadata.prefs' }, vars)).toEqual({
      exp: '2026-07-01T10:00:00.000Z',
      prefs: '{"lang":"en"}',
    });
  });

  it('does not read inherited properties of a variable', () => {
    expect(profileValues({ x: 'voucher.constructor' }, variables)).toEqual({ x: null });
  });
});

describe('externalIdOf', () => {
  it('is the source_id, else the customer id', () => {
    expect(externalIdOf({ _id: 'cust_1', source_id: 'ext-1' })).toBe('ext-1');
    expect(externalIdOf({ _id: 'cust_1' })).toBe('cust_1');
    expect(externalIdOf({ _id: 'cust_1', source_id: '' })).toBe('cust_1');
  });
});
