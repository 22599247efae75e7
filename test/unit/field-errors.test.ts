import { z } from 'zod';
import { fieldErrors } from '../../src/errors';

describe('fieldErrors', () => {
  const schema = z.strictObject({ name: z.string(), address: z.strictObject({ city: z.string() }).optional() });

  it('names nested fields with dots', () => {
    const result = schema.safeParse({ name: 'a', address: { city: 5 } });
    expect(fieldErrors(result.error!)).toEqual([{ field: 'address.city', reason: expect.stringMatching(/string/) }]);
  });

  it('names an unknown field itself, not its parent', () => {
    const result = schema.safeParse({ name: 'a', address: { city: 'x', zip: '1' } });
    expect(fieldErrors(result.error!)).toEqual([
      { field: 'address.zip', reason: expect.stringMatching(/unrecognized/i) },
    ]);
  });

  it('prefixes query and path parameters', () => {
    const result = z.strictObject({ limit: z.coerce.number().max(100) }).safeParse({ limit: '500' });
    expect(fieldErrors(result.error!, 'query')).toEqual([
      { field: 'query.limit', reason: expect.stringMatching(/100/) },
    ]);
  });
});
