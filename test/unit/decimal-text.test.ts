import { typeCsvMetadata } from '../../src/imports/csv-metadata';
import { isDecimalText } from '../../src/metadata/decimal-text';
import { metadataSchemaInput } from '../../src/metadata/metadata-schema';
import { validateSegmentFilter } from '../../src/segments/filter-validate';
import { matchesSegmentFilter } from '../../src/segments/filter-match';
import { toNumber } from '../../src/segments/filter-values';

describe('decimal text, parsed in one pass', () => {
  it('accepts what the replaced regexes accepted, and nothing else', () => {
    // The regexes it replaces, kept here as the reference on short inputs (where backtracking is harmless).
    const filterNumber = /^-?(?:\d+\.?\d*|\.\d+)$/;
    const csvNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    const samples = [
      '0',
      '12',
      '-12',
      '+12',
      '12.',
      '12.5',
      '.5',
      '-.5',
      '.',
      '-',
      '+',
      '',
      '1e5',
      '1E-5',
      '1e',
      '1e+',
      '-1.5e2',
      '.5e1',
      '1.2.3',
      '1,5',
      ' 1',
      '1 ',
      'x1',
      '1x',
      '0x10',
      'Infinity',
      'NaN',
      '--1',
      '1e5e5',
    ];
    for (const s of samples) {
      expect({ s, filter: isDecimalText(s) }).toEqual({ s, filter: filterNumber.test(s) });
      expect({ s, csv: isDecimalText(s, { plusSign: true, exponent: true }) }).toEqual({ s, csv: csvNumber.test(s) });
    }
  });

  it('handles a 200 KB digit string at once, in a segment filter and a CSV import', () => {
    const digits = '9'.repeat(200_000);
    const started = process.hrtime.bigint();
    // The worst case for the old regexes: a long digit run that fails at its very end.
    expect(isDecimalText(`${digits}x`)).toBe(false);
    expect(isDecimalText(`${digits}.${digits}`)).toBe(true);
    expect(isDecimalText(`${digits}e${digits}!`, { exponent: true })).toBe(false);
    expect(toNumber(`${digits}x`)).toBeUndefined();
    // 200,000 nines is no finite number: not comparable, rather than Infinity.
    expect(toNumber(digits)).toBeUndefined();
    expect(toNumber(`12${'0'.repeat(20)}1x`)).toBeUndefined();

    const parsed = validateSegmentFilter({ junction: 'and', 'metadata.score': { conditions: { $more_than: [10] } } });
    if (!parsed.ok) throw new Error('filter did not parse');
    const customer = { id: 'c', metadata: { score: `${digits}x` } } as never;
    expect(matchesSegmentFilter(parsed.filter, customer, new Date('2024-06-15T00:00:00Z'))).toBe(false);
    expect(
      matchesSegmentFilter(
        parsed.filter,
        { id: 'c', metadata: { score: '11' } } as never,
        new Date('2024-06-15T00:00:00Z'),
      ),
    ).toBe(true);

    const properties = metadataSchemaInput.parse({ properties: { points: { type: 'number' } } }).properties;
    expect(typeCsvMetadata({ metadata: { points: `${digits}x` } }, properties)).toEqual({
      metadata: { points: `${digits}x` },
    });
    // Generous: the quadratic regexes took tens of seconds here; one pass takes milliseconds.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});
