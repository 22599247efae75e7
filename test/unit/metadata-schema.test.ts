import { checkMetadata, metadataSchemaInput } from '../../src/metadata/metadata-schema';

describe('checkMetadata', () => {
  const schema = metadataSchemaInput.parse({
    properties: {
      tier: { type: 'string', in: ['gold', 'silver'] },
      points: { type: 'number', min: 0, optional: false },
      vip: { type: 'boolean' },
      joined: { type: 'date' },
      tags: { type: 'string', array: true },
      avatar: { type: 'image_url' },
    },
  });

  it('accepts metadata that fits, including keys the schema does not declare', () => {
    expect(
      checkMetadata(schema, {
        tier: 'gold',
        points: 3,
        vip: false,
        joined: '2024-02-29',
        tags: ['a'],
        avatar: 'https://x.test/a.png',
        other: 1,
      }),
    ).toEqual([]);
  });

  it.each([
    [{ points: '3' }, 'metadata.points', 'expected a number'],
    [{ points: -1 }, 'metadata.points', 'expected at least 0'],
    [{}, 'metadata.points', 'is required by the metadata schema'],
    [{ points: 1, tier: 'bronze' }, 'metadata.tier', 'expected one of gold, silver'],
    [{ points: 1, vip: 'yes' }, 'metadata.vip', 'expected true or false'],
    [{ points: 1, joined: '2024-13-01' }, 'metadata.joined', 'expected a date (YYYY-MM-DD)'],
    [{ points: 1, tags: 'a' }, 'metadata.tags', 'expected a list of string'],
    [{ points: 1, tags: ['a', 2] }, 'metadata.tags.1', 'expected a string'],
    [{ points: 1, avatar: 'ftp://x' }, 'metadata.avatar', 'expected an http(s) URL'],
  ])('%j -> %s: %s', (metadata, field, reason) => {
    expect(checkMetadata(schema, metadata)).toEqual([{ field, reason }]);
  });

  it('refuses undeclared keys when allow_defined_only is set', () => {
    expect(checkMetadata({ ...schema, allow_defined_only: true }, { points: 1, extra: true })).toEqual([
      { field: 'metadata.extra', reason: 'is not defined in the metadata schema' },
    ]);
  });
});
