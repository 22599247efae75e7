import { Readable } from 'node:stream';
import { ImportFileError } from '../../src/imports/import-file-error';
import { JsonArrayScanner, type ScannedElement } from '../../src/imports/json-array-scanner';
import { readJsonRecords } from '../../src/imports/json-records';
import { NdjsonScanner } from '../../src/imports/ndjson-scanner';
import { readRecords } from '../../src/imports/read-records';
import type { SourceRecord } from '../../src/imports/source-record';

type Scanner = { push(chunk: Buffer): ScannedElement[]; end(): ScannedElement[] };

/** Feeds the text in chunks of `size` bytes (1 = every byte boundary, the hardest case). */
function scan(scanner: Scanner, text: string | Buffer, size: number): ScannedElement[] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const out: ScannedElement[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...scanner.push(bytes.subarray(i, i + size)));
  return [...out, ...scanner.end()];
}

const texts = (elements: ScannedElement[]) =>
  elements.map((e) => ('text' in e ? JSON.parse(e.text) : { problem: e.problem }));

async function collect(source: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of source) out.push(record);
  return out;
}

describe('JSON array scanner', () => {
  const array = '\uFEFF [ {"source_id":"a","name":"x]}\\"{,"} , "str", 42,null,[1,{"a":[]}] ,{"metadata":{"é":"ü"}}]\n';

  it.each([1, 3, 1000])('splits elements whatever the chunk size (%i bytes)', (size) => {
    const elements = scan(new JsonArrayScanner({ maxElementBytes: 1000 }), array, size);
    expect(texts(elements)).toEqual([
      { source_id: 'a', name: 'x]}"{,' },
      'str',
      42,
      null,
      [1, { a: [] }],
      { metadata: { é: 'ü' } },
    ]);
  });

  it('gives each element an end offset a later run can resume from', () => {
    const elements = scan(new JsonArrayScanner({ maxElementBytes: 1000 }), array, 5);
    const second = elements[1]!;
    if (second.end === undefined) throw new Error('no end');
    const rest = scan(
      new JsonArrayScanner({ maxElementBytes: 1000, resumeAt: second.end }),
      Buffer.from(array).subarray(second.end),
      4,
    );
    expect(rest).toEqual(elements.slice(2));
  });

  it('reports broken elements in place and goes on with the next', () => {
    const elements = scan(
      new JsonArrayScanner({ maxElementBytes: 20 }),
      '[{"a":1},,{"b":2} {"c":3},{"name":"far too long for the limit"},{"d":4}]',
      2,
    );
    expect(texts(elements)).toEqual([
      { a: 1 },
      { problem: 'empty element: two commas in a row' },
      { b: 2 },
      { problem: 'expected , or ] before this element' },
      { problem: 'element is larger than 20 bytes' },
      { d: 4 },
    ]);
  });

  it('reports a truncated array and data after it, and fails a body that is no array at all', () => {
    expect(texts(scan(new JsonArrayScanner({ maxElementBytes: 100 }), '[{"a":1},{"b":', 3))).toEqual([
      { a: 1 },
      { problem: expect.stringMatching(/ends inside this element/) },
    ]);
    expect(texts(scan(new JsonArrayScanner({ maxElementBytes: 100 }), '[{"a":1}', 3))).toEqual([
      { a: 1 },
      { problem: expect.stringMatching(/not closed/) },
    ]);
    expect(texts(scan(new JsonArrayScanner({ maxElementBytes: 100 }), '[] x', 3))).toEqual([
      { problem: expect.stringMatching(/after the closing \]/) },
    ]);
    expect(() => scan(new JsonArrayScanner({ maxElementBytes: 100 }), '{"customers":[]}', 3)).toThrow(ImportFileError);
    expect(() => scan(new JsonArrayScanner({ maxElementBytes: 100 }), '  ', 3)).toThrow(/empty/);
    expect(scan(new JsonArrayScanner({ maxElementBytes: 100 }), '[ ]', 1)).toEqual([]);
  });
});

describe('NDJSON scanner', () => {
  it('splits lines across chunks, skips blank ones and tolerates CRLF and a missing last newline', () => {
    const elements = scan(new NdjsonScanner({ maxElementBytes: 100 }), '{"a":1}\r\n\n  \n{"b":"ü"}\n{"c":3}', 2);
    expect(texts(elements)).toEqual([{ a: 1 }, { b: 'ü' }, { c: 3 }]);
    expect(elements.map((e) => e.end)).toEqual([9, 24, 31]);
  });

  it('reports an over-long line without buffering it', () => {
    const elements = scan(new NdjsonScanner({ maxElementBytes: 10 }), `{"a":"${'x'.repeat(50)}"}\n{"b":2}\n`, 7);
    expect(texts(elements)).toEqual([{ problem: 'line is longer than 10 bytes' }, { b: 2 }]);
  });
});

describe('JSON records', () => {
  it('numbers elements from the resume row and turns invalid JSON into a row error', async () => {
    const records = await collect(
      readJsonRecords(Readable.from([Buffer.from('{"source_id":"a"}\n{"name": tru}\n')]), {
        format: 'ndjson',
        position: { row: 0, byte: 0 },
      }),
    );
    expect(records).toEqual([
      { row: 1, end: 18, value: { source_id: 'a' } },
      { row: 2, end: 32, errors: [{ field: '(row)', reason: expect.stringMatching(/^invalid JSON: /) }] },
    ]);
  });

  it('fails an empty NDJSON upload', async () => {
    await expect(
      collect(
        readJsonRecords(Readable.from([Buffer.from('\n \n')]), { format: 'ndjson', position: { row: 0, byte: 0 } }),
      ),
    ).rejects.toThrow(/empty/);
  });

  it('fails a binary upload, whatever its declared format', async () => {
    const binary = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]);
    for (const format of ['csv', 'json', 'ndjson'] as const) {
      const source = readRecords(Readable.from([binary]), {
        format,
        position: { row: 0, byte: 0 },
        onCsvHeader: async () => undefined,
      });
      await expect(collect(source)).rejects.toThrow(/not UTF-8 text/);
    }
  });
});
