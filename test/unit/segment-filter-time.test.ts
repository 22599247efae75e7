import { validateSegmentFilter } from '../../src/segments/filter';
import { dependsOnDate } from '../../src/segments/filter-time';

const parse = (filter: Record<string, unknown>) => {
  const parsed = validateSegmentFilter({ junction: 'and', ...filter });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed));
  return parsed.filter;
};

describe('dependsOnDate', () => {
  it.each([
    [{ 'summary.orders.last_order_date': { conditions: { $more_than: [30] } } }, true],
    [{ birthdate: { conditions: { $is_days_in_future: [0] } } }, true],
    [{ 'metadata.last_visit': { conditions: { $less_than: [7] } } }, true],
    [
      {
        nested: {
          junction: 'or',
          email: { conditions: { $has_value: true } },
          created_at: { conditions: { $less_than_ago: [3] } },
        },
      },
      true,
    ],
    [{ created_at: { conditions: { $after: ['2024-01-01'] } } }, false],
    [{ 'summary.redemptions.total_redeemed': { conditions: { $more_than_equal: [2] } } }, false],
    [{ 'metadata.tier': { conditions: { $is: ['gold'] } } }, false],
  ])('%j -> %s', (filter, expected) => {
    expect(dependsOnDate(parse(filter))).toBe(expected);
  });
});
