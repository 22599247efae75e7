import { Readable } from 'node:stream';
import { columnTarget, mapCsvHeader } from '../../src/imports/csv-columns';
import { typeCsvMetadata } from '../../src/imports/csv-metadata';
import { readCsvRecords } from '../../src/imports/csv-records';
import { csvRowToCustomer } from '../../src/imports/csv-row';
import { validateCustomerRow } from '../../src/imports/customer-row';
import { ImportFileError } from '../../src/imports/import-file-error';
import type { SourceRecord } from '../../src/imports/source-record';
import { metadataSchemaInput } from '../../src/metadata/metadata-schema';

async function readAll(
  text: string | Buffer,
  options: { header?: string[]; row?: number; byte?: number; chunk?: number } = {},
): Promise<{ records: SourceRecord[]; header?: string[] }> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const size = options.chunk ?? bytes.length;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  let header: string[] | undefined;
  const records: SourceRecord[] = [];
  const source = readCsvRecords(Readable.from(chunks), {
    position: { row: options.row ?? 0, byte: options.byte ?? 0 },
    header: options.header,
    onHeader: async (h) => {
      header = h;
    },
  });
  for await (const record of source) records.push(record);
  return { records, header };
}

describe('CSV header mapping', () => {
  it('maps standard fields, address variants and spreadsheet-style names', () => {
    expect(columnTarget('source_id')).toEqual({ kind: 'field', key: 'source_id' });
    expect(columnTarget(' Source ID ')).toEqual({ kind: 'field', key: 'source_id' });
    expect(columnTarget('Birthday')).toEqual({ kind: 'field', key: 'birthdate' });
    for (const header of ['city', 'address.city', 'address_city', 'Address City', 'ADDRESS-CITY']) {
      expect(columnTarget(header)).toEqual({ kind: 'address', key: 'city' });
    }
    expect(columnTarget('Postal code')).toEqual({ kind: 'address', key: 'postal_code' });
    expect(columnTarget('Address line 1')).toEqual({ kind: 'address', key: 'line_1' });
  });

  it('sends every other column to metadata, keeping its case and stripping a metadata. prefix', () => {
    expect(columnTarget('Tier')).toEqual({ kind: 'metadata', key: 'Tier' });
    expect(columnTarget('metadata.loyalty_level')).toEqual({ kind: 'metadata', key: 'loyalty_level' });
    expect(columnTarget('Metadata.city')).toEqual({ kind: 'metadata', key: 'city' });
    expect(columnTarget('  ')).toEqual({ kind: 'ignore' });
  });

  it('refuses a header without any customer field: a file without a header, or not a CSV', () => {
    const result = mapCsvHeader(['cust_1', 'Jane', 'jane@example.com']);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/first line must be a header.*"cust_1"/) });
  });

  it('refuses two columns for one field and metadata keys MongoDB cannot store', () => {
    expect(mapCsvHeader(['email', 'city', 'address.city'])).toEqual({
      ok: false,
      reason: expect.stringMatching(/"city" and "address.city" both set address.city/),
    });
    expect(mapCsvHeader(['email', 'metadata.a.b'])).toEqual({
      ok: false,
      reason: expect.stringMatching(/Column "metadata.a.b"/),
    });
    expect(mapCsvHeader(['email', '$where'])).toEqual({ ok: false, reason: expect.stringMatching(/Column "\$where"/) });
  });
});

describe('CSV row mapping', () => {
  const mapping = mapCsvHeader(['source_id', 'Name', 'email', 'address_city', 'Postal code', 'tier', 'metadata.score']);
  if (!mapping.ok) throw new Error(mapping.reason);
  const { columns } = mapping;

  it('builds the customer object, skipping empty cells and keeping metadata as strings', () => {
    expect(csvRowToCustomer(['c1', ' Jane ', '', 'Berlin', '10115', 'gold', '42'], columns)).toEqual({
      ok: true,
      value: {
        source_id: 'c1',
        name: 'Jane',
        address: { city: 'Berlin', postal_code: '10115' },
        metadata: { tier: 'gold', score: '42' },
      },
    });
    expect(csvRowToCustomer(['c2', '', '', '', '', '', ''], columns)).toEqual({ ok: true, value: { source_id: 'c2' } });
  });

  it('refuses a line with the wrong number of values, but tolerates empty trailing ones', () => {
    expect(csvRowToCustomer(['c1', 'Jane'], columns)).toEqual({
      ok: false,
      errors: [{ field: '(row)', reason: expect.stringMatching(/expected 7 values.*has 2/) }],
    });
    expect(csvRowToCustomer(['c1', 'a', 'b', 'c', 'd', 'e', 'f', 'extra'], columns).ok).toBe(false);
    expect(csvRowToCustomer(['c1', '', '', '', '', '', '', ' '], columns).ok).toBe(true);
  });

  it('validates with the API schema and names the field and reason', () => {
    expect(validateCustomerRow({ source_id: 'c1', email: 'not-an-email' }, { requireSourceId: false })).toEqual({
      ok: false,
      errors: [{ field: 'email', reason: expect.stringMatching(/email/i) }],
    });
    expect(validateCustomerRow({ birthdate: '1990-13-45' }, { requireSourceId: false })).toEqual({
      ok: false,
      errors: [{ field: 'birthdate', reason: 'birthdate must be YYYY-MM-DD' }],
    });
    expect(validateCustomerRow({ name: 42 }, { requireSourceId: false })).toEqual({
      ok: false,
      errors: [{ field: 'name', reason: expect.stringMatching(/string/) }],
    });
    expect(validateCustomerRow([1], { requireSourceId: false })).toEqual({
      ok: false,
      errors: [{ field: '(row)', reason: 'expected a customer object, got an array' }],
    });
    expect(validateCustomerRow({ name: 'x' }, { requireSourceId: true })).toEqual({
      ok: false,
      errors: [{ field: 'source_id', reason: expect.stringMatching(/source_id/) }],
    });
    expect(validateCustomerRow({ source_id: ' c1 ', metadata: { a: '1' } }, { requireSourceId: true })).toEqual({
      ok: true,
      input: { source_id: 'c1', metadata: { a: '1' } },
    });
  });
});

describe('CSV records from a stream', () => {
  const file = `${[
    '\uFEFFsource_id,name,email',
    'c1,Ann,ann@example.com',
    '',
    'c2,"Bob, Jr.",bob@example.com',
    'c3,"multi',
    'line",',
    'c4,Dee',
  ].join('\r\n')}\n`;

  it('numbers rows from 1 after the header, skips blank lines and reports each record with its end offset', async () => {
    const { records, header } = await readAll(file, { chunk: 7 });
    expect(header).toEqual(['source_id', 'name', 'email']);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(records[0]).toEqual({
      row: 1,
      end: expect.any(Number),
      value: { source_id: 'c1', name: 'Ann', email: 'ann@example.com' },
    });
    expect(records[1]).toMatchObject({ value: { name: 'Bob, Jr.' } });
    expect(records[2]).toMatchObject({ value: { source_id: 'c3', name: 'multi\r\nline' } });
    expect(records[3]).toEqual({
      row: 4,
      end: Buffer.byteLength(file),
      errors: [{ field: '(row)', reason: expect.stringMatching(/expected 3 values/) }],
    });
  });

  it('resumes after any record from its end offset, with the header kept from the first run', async () => {
    const { records } = await readAll(file);
    const second = records[1]!;
    if (second.end === undefined) throw new Error('no end offset');
    const resumed = await readAll(Buffer.from(file).subarray(second.end), {
      header: ['source_id', 'name', 'email'],
      row: second.row,
      byte: second.end,
    });
    expect(resumed.records).toEqual(records.slice(2));
  });

  it('reports an unclosed quote as a malformed row in its place and keeps the rows before it', async () => {
    const { records } = await readAll('email,name\na@example.com,A\nb@example.com,"B\n');
    expect(records).toEqual([
      { row: 1, end: expect.any(Number), value: { email: 'a@example.com', name: 'A' } },
      { row: 2, errors: [{ field: '(row)', reason: expect.stringMatching(/malformed CSV: Quote Not Closed/) }] },
    ]);
  });

  it('takes quotes inside unquoted cells literally, as spreadsheet tools do', async () => {
    const { records } = await readAll('name,email\nJo "JJ" Smith,jo@example.com\n');
    expect(records).toEqual([
      { row: 1, end: expect.any(Number), value: { name: 'Jo "JJ" Smith', email: 'jo@example.com' } },
    ]);
  });

  it('fails the whole file when it is empty, has no header, or is binary', async () => {
    await expect(readAll('')).rejects.toThrow(
      new ImportFileError(
        'The file is empty: expected a header line naming the columns (e.g. source_id,name,email) and one line per customer.',
      ),
    );
    await expect(readAll('\n\n')).rejects.toThrow(/file is empty/);
    await expect(readAll('c1,Ann,ann@example.com\nc2,Bob,bob@example.com\n')).rejects.toThrow(
      /first line must be a header/,
    );
    await expect(readAll('{"customers": [1, 2]}')).rejects.toThrow(ImportFileError);
  });
});

describe('CSV metadata typed by the customer metadata schema', () => {
  const properties = metadataSchemaInput.parse({
    properties: {
      points: { type: 'number' },
      vip: { type: 'boolean' },
      tags: { type: 'number', array: true },
      joined: { type: 'date' },
    },
  }).properties;

  it('converts numbers, booleans and comma-separated lists, and leaves other keys as text', () => {
    expect(
      typeCsvMetadata(
        {
          source_id: 'c1',
          metadata: { points: '-1.5e2', vip: 'FALSE', tags: '1, 2,3', joined: '2024-01-01', other: '7' },
        },
        properties,
      ),
    ).toEqual({
      source_id: 'c1',
      metadata: { points: -150, vip: false, tags: [1, 2, 3], joined: '2024-01-01', other: '7' },
    });
  });

  it('keeps a cell that does not convert as text, for the schema check to name', () => {
    expect(typeCsvMetadata({ metadata: { points: '12abc', vip: 'yes', tags: '1,x' } }, properties)).toEqual({
      metadata: { points: '12abc', vip: 'yes', tags: [1, 'x'] },
    });
    expect(typeCsvMetadata({ name: 'no metadata' }, properties)).toEqual({ name: 'no metadata' });
  });
});
