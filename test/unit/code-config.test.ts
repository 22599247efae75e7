import {
  capacityProblem,
  codeCapacity,
  codeConfigInput,
  DEFAULT_CHARSET,
  generateCodes,
  normaliseCodeConfig,
  type CodeConfig,
} from '../../src/campaigns/code-config';

function issues(input: unknown): { path: string; message: string }[] {
  const result = codeConfigInput.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('normaliseCodeConfig', () => {
  it('falls back to Voucherify defaults: 8 alphanumeric characters, no affixes', () => {
    const expected: CodeConfig = { length: 8, charset: DEFAULT_CHARSET, prefix: '', postfix: '' };
    expect(normaliseCodeConfig(undefined)).toEqual(expected);
    expect(normaliseCodeConfig({})).toEqual(expected);
    expect(DEFAULT_CHARSET).toHaveLength(62);
  });

  it('accepts the SDK `suffix` alias and emits `postfix`', () => {
    const config = normaliseCodeConfig(codeConfigInput.parse({ prefix: 'SUM-', suffix: '-25' }));
    expect(config).toMatchObject({ prefix: 'SUM-', postfix: '-25' });
    expect(config).not.toHaveProperty('suffix');
    expect(normaliseCodeConfig({ postfix: '-X', suffix: '-X' }).postfix).toBe('-X');
  });

  it('rejects suffix and postfix that disagree, in the schema and in the normaliser', () => {
    expect(issues({ postfix: '-A', suffix: '-B' })).toEqual([
      { path: 'suffix', message: expect.stringMatching(/conflicts with postfix/) },
    ]);
    expect(() => normaliseCodeConfig({ postfix: '-A', suffix: '-B' })).toThrow(/suffix .* conflicts with postfix/);
  });

  it('lets the pattern override length, which becomes the number of placeholders', () => {
    const config = normaliseCodeConfig(codeConfigInput.parse({ length: 20, pattern: 'PROMO-####' }));
    expect(config).toEqual({ length: 4, charset: DEFAULT_CHARSET, prefix: '', postfix: '', pattern: 'PROMO-####' });
  });
});

describe('codeConfigInput', () => {
  it('accepts a full valid config', () => {
    const input = { length: 12, charset: 'ABC', prefix: 'P', postfix: 'S', pattern: '##-##' };
    expect(codeConfigInput.parse(input)).toEqual(input);
  });

  it.each([
    ['length 0', { length: 0 }, 'length'],
    ['length 65', { length: 65 }, 'length'],
    ['fractional length', { length: 2.5 }, 'length'],
    ['one-character charset', { charset: 'A' }, 'charset'],
    ['charset over 256', { charset: 'x'.repeat(257) }, 'charset'],
    ['prefix over 64', { prefix: 'p'.repeat(65) }, 'prefix'],
    ['suffix over 64', { suffix: 's'.repeat(65) }, 'suffix'],
    ['pattern over 128', { pattern: '#'.repeat(129) }, 'pattern'],
  ])('rejects %s at its field', (_name, input, field) => {
    expect(issues(input).map((i) => i.path)).toEqual([field]);
  });

  it('rejects a charset with duplicate characters, naming them', () => {
    expect(issues({ charset: 'ABCA1B' })).toEqual([{ path: 'charset', message: 'charset repeats "A", "B"' }]);
  });

  it('rejects a pattern without a placeholder', () => {
    expect(issues({ pattern: 'PROMO-CODE' })).toEqual([{ path: 'pattern', message: expect.stringMatching(/#/) }]);
  });

  it('rejects unknown keys by name', () => {
    const found = codeConfigInput.safeParse({ length: 8, lenght: 8 });
    expect(found.success).toBe(false);
    expect(found.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['lenght'] });
  });

  it('counts charset characters by code point, so emoji are neither split nor seen as duplicates', () => {
    expect(codeConfigInput.safeParse({ charset: '🍎🍐' }).success).toBe(true);
  });
});

describe('codeCapacity', () => {
  it('is charset size to the power of the placeholder count', () => {
    expect(codeCapacity(normaliseCodeConfig({ pattern: 'PROMO-####', charset: '0123456789' }))).toBe(10_000);
    expect(codeCapacity(normaliseCodeConfig({ length: 3, charset: 'AB' }))).toBe(8);
    expect(codeCapacity(normaliseCodeConfig(undefined))).toBe(62 ** 8);
  });

  it('ignores prefix and postfix, which are the same on every code', () => {
    expect(codeCapacity(normaliseCodeConfig({ length: 2, charset: 'AB', prefix: 'XYZ', postfix: 'Q' }))).toBe(4);
  });

  it('caps huge spaces at Number.MAX_SAFE_INTEGER rather than overflowing', () => {
    expect(codeCapacity(normaliseCodeConfig({ length: 64 }))).toBe(Number.MAX_SAFE_INTEGER);
    expect(codeCapacity(normaliseCodeConfig({ pattern: '#'.repeat(128), charset: 'xy' }))).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    // 2 ** 53 is the first power of two beyond the safe range.
    expect(codeCapacity(normaliseCodeConfig({ length: 52, charset: '01' }))).toBe(2 ** 52);
    expect(codeCapacity(normaliseCodeConfig({ length: 53, charset: '01' }))).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('capacityProblem', () => {
  it('accepts counts up to half the capacity', () => {
    const config = normaliseCodeConfig({ pattern: 'PROMO-####', charset: '0123456789' });
    expect(capacityProblem(config, 5_000)).toBeUndefined();
    expect(capacityProblem(config, 0)).toBeUndefined();
  });

  it('names code_config.pattern when the pattern sets the size', () => {
    const config = normaliseCodeConfig({ pattern: 'PROMO-####', charset: '0123456789', length: 30 });
    expect(capacityProblem(config, 5_001)).toEqual({
      field: 'code_config.pattern',
      reason: expect.stringMatching(/10000 distinct codes.*vouchers_count 5001 needs at least 10002/),
    });
  });

  it('names code_config.length when the length sets the size', () => {
    const config = normaliseCodeConfig({ length: 2, charset: 'ABC' });
    expect(capacityProblem(config, 5)).toEqual({
      field: 'code_config.length',
      reason: expect.stringMatching(/9 distinct/),
    });
    expect(capacityProblem(config, 4)).toBeUndefined();
  });
});

describe('generateCodes', () => {
  it('fills the pattern between prefix and postfix using only charset characters', () => {
    const config = normaliseCodeConfig({ pattern: 'PROMO-####-X', charset: '0123456789', prefix: 'A', suffix: 'Z' });
    const codes = generateCodes(config, 200);
    expect(codes).toHaveLength(200);
    for (const code of codes) expect(code).toMatch(/^APROMO-[0-9]{4}-XZ$/);
  });

  it('draws `length` characters from the charset when there is no pattern', () => {
    const config = normaliseCodeConfig({ length: 6, charset: 'abc', prefix: 'pre-', postfix: '-post' });
    for (const code of generateCodes(config, 200)) expect(code).toMatch(/^pre-[abc]{6}-post$/);
    const defaults = generateCodes(normaliseCodeConfig(undefined), 50);
    for (const code of defaults) expect(code).toMatch(/^[0-9A-Za-z]{8}$/);
  });

  it('uses every charset character eventually (the source is not stuck)', () => {
    const seen = new Set(generateCodes(normaliseCodeConfig({ length: 64, charset: 'ABCD' }), 10).join(''));
    expect([...seen].sort()).toEqual(['A', 'B', 'C', 'D']);
  });

  it('is deterministic with an injected random source', () => {
    const config = normaliseCodeConfig({ pattern: '##-#', charset: 'ABC', prefix: 'P' });
    const sequence = [0, 1, 2, 2, 1, 0];
    const maxes: number[] = [];
    let i = 0;
    const random = (max: number): number => {
      maxes.push(max);
      return sequence[i++ % sequence.length]!;
    };
    expect(generateCodes(config, 2, random)).toEqual(['PAB-C', 'PCB-A']);
    expect(maxes).toEqual([3, 3, 3, 3, 3, 3]);
  });

  it('keeps multi-unit characters whole', () => {
    const codes = generateCodes(normaliseCodeConfig({ length: 3, charset: '🍎🍐' }), 1, () => 1);
    expect(codes).toEqual(['🍐🍐🍐']);
  });

  it('refuses a random source that strays out of range, and a bad count', () => {
    const config = normaliseCodeConfig({ length: 2, charset: 'AB' });
    expect(() => generateCodes(config, 1, () => 2)).toThrow(/returned 2/);
    expect(() => generateCodes(config, 1, () => 0.5)).toThrow(/returned 0.5/);
    expect(() => generateCodes(config, -1)).toThrow(RangeError);
    expect(() => generateCodes(config, 1.5)).toThrow(RangeError);
    expect(generateCodes(config, 0)).toEqual([]);
  });
});
