import { knownPaths } from '../../src/templates/fields';
import { templateVariables, VARIABLE_CATALOG } from '../../src/templates/variable-catalog';

describe('the variable catalogue', () => {
  it('describes every TEMPLATE_FIELDS path, with an example, and nothing else', () => {
    const described = VARIABLE_CATALOG.map((d) => d.name);
    expect([...described].sort()).toEqual([...knownPaths()].sort());
    expect(new Set(described).size).toBe(described.length);
    for (const d of VARIABLE_CATALOG) {
      expect(d.description.trim()).not.toBe('');
      expect(d.example.trim()).not.toBe('');
    }
  });

  it('says which purposes and triggers fill each variable, from the scope distributions are checked against', () => {
    const byName = new Map(templateVariables().map((v) => [v.name, v]));
    expect(byName.get('customer.name')).toMatchObject({ purposes: [], triggers: [] });
    expect(byName.get('unsubscribe_url')).toMatchObject({ purposes: [], triggers: [] });
    expect(byName.get('voucher.code')!.purposes).toEqual(['unique_code']);
    expect(byName.get('voucher.code')!.triggers).toContain('voucher_published');
    expect(byName.get('order.id')).toMatchObject({
      purposes: [],
      triggers: ['order_created', 'order_updated', 'order_paid', 'order_canceled', 'voucher_redeemed'],
    });
    expect(byName.get('promotion.name')!.purposes).toEqual(['promotion']);
    expect(byName.get('reward.name')!.triggers).toEqual(['reward_redeemed']);
    expect(byName.get('event.type')!.triggers).toContain('customer_entered_segment');
    expect(byName.get('event.type')!.triggers).not.toContain('manual');
  });
});
