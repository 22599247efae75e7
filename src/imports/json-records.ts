import type { Readable } from 'node:stream';
import { ImportFileError } from './import-file-error';
import { JsonArrayScanner, type ScannedElement } from './json-array-scanner';
import { NdjsonScanner } from './ndjson-scanner';
import type { ReadPosition, SourceRecord } from './source-record';

/** Largest customer object accepted in a JSON or NDJSON upload. */
export const MAX_ELEMENT_BYTES = 256 * 1024;

/** Streams customer records out of a JSON array or NDJSON upload, one element in memory at a time. */
export async function* readJsonRecords(
  input: Readable,
  options: { format: 'json' | 'ndjson'; position: ReadPosition },
): AsyncGenerator<SourceRecord> {
  const { position } = options;
  const resumeAt = position.row > 0 ? position.byte : undefined;
  const scanner =
    options.format === 'json'
      ? new JsonArrayScanner({ resumeAt, maxElementBytes: MAX_ELEMENT_BYTES })
      : new NdjsonScanner({ resumeAt, maxElementBytes: MAX_ELEMENT_BYTES });
  let row = position.row;
  const toRecord = (element: ScannedElement): SourceRecord => {
    row++;
    if ('problem' in element) return { row, end: element.end, errors: [{ field: '(row)', reason: element.problem }] };
    try {
      return { row, end: element.end, value: JSON.parse(element.text.replace(/^\uFEFF/, '')) as unknown };
    } catch (err) {
      return { row, end: element.end, errors: [{ field: '(row)', reason: `invalid JSON: ${(err as Error).message}` }] };
    }
  };
  for await (const chunk of input) {
    for (const element of scanner.push(chunk as Buffer)) yield toRecord(element);
  }
  for (const element of scanner.end()) yield toRecord(element);
  if (scanner instanceof NdjsonScanner && scanner.empty && resumeAt === undefined) {
    throw new ImportFileError('The upload is empty: expected one customer object per line.');
  }
}
