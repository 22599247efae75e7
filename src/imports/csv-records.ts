import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { mapCsvHeader, type CsvColumn } from './csv-columns';
import { csvRowToCustomer } from './csv-row';
import { ImportFileError } from './import-file-error';
import type { ReadPosition, SourceRecord } from './source-record';

/** Longest record accepted: bounds what an unclosed quote can make the parser buffer. */
const MAX_RECORD_CHARS = 1024 * 1024;

export interface CsvReadOptions {
  position: ReadPosition;
  /** The header read by an earlier run; absent when reading from the start of the file. */
  header?: string[];
  /** Called once with the header line, before any row is yielded, so it can be kept for a resumed run. */
  onHeader(header: string[]): Promise<void>;
}

interface LinePlace {
  row: number;
  end: number;
}

/**
 * Streams customer records out of a CSV upload. Quotes inside unquoted cells are taken
 * literally, as spreadsheet tools do; a line the parser cannot read (an unclosed quote,
 * an over-long record) becomes an error record with its row number, and parsing goes on.
 */
export async function* readCsvRecords(input: Readable, options: CsvReadOptions): AsyncGenerator<SourceRecord> {
  const { position } = options;
  // The parser reports skipped lines through a callback, ahead of the records still buffered in
  // the stream; numbering both in one counter and merging by number keeps the file's order.
  let counter = options.header ? position.row : position.row - 1;
  const skipped: SourceRecord[] = [];
  // Where each record is, noted as the parser emits it; records are read back in the same order.
  const places: LinePlace[] = [];
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_CHARS,
    on_record: (values: string[], info) => {
      places.push({ row: ++counter, end: position.byte + info.bytes });
      return values;
    },
    on_skip: (err) => {
      skipped.push({
        row: ++counter,
        errors: [{ field: '(row)', reason: `malformed CSV: ${err?.message ?? 'unreadable line'}` }],
      });
      return undefined;
    },
  });
  pipeline(input, parser, () => undefined);

  let columns: CsvColumn[] | undefined = options.header ? headerColumns(options.header) : undefined;
  try {
    for await (const values of parser as AsyncIterable<string[]>) {
      const line = { ...places.shift()!, values };
      if (!columns) {
        if (skipped[0] && skipped[0].row < line.row) throw headerUnreadable(skipped);
        columns = headerColumns(line.values);
        await options.onHeader(line.values);
        continue;
      }
      while (skipped[0] && skipped[0].row < line.row) yield skipped.shift()!;
      const raw = csvRowToCustomer(line.values, columns);
      yield raw.ok
        ? { row: line.row, end: line.end, value: raw.value }
        : { row: line.row, end: line.end, errors: raw.errors };
    }
  } catch (err) {
    if (err instanceof CsvError) throw new ImportFileError(`The file could not be read as CSV: ${err.message}`);
    throw err;
  } finally {
    parser.destroy();
  }
  if (!columns) {
    if (skipped.length > 0) throw headerUnreadable(skipped);
    throw new ImportFileError(
      'The file is empty: expected a header line naming the columns (e.g. source_id,name,email) and one line per customer.',
    );
  }
  yield* skipped;
}

function headerColumns(header: string[]): CsvColumn[] {
  const mapping = mapCsvHeader(header);
  if (!mapping.ok) throw new ImportFileError(mapping.reason);
  return mapping.columns;
}

function headerUnreadable(skipped: SourceRecord[]): ImportFileError {
  const first = skipped[0];
  const reason = first && 'errors' in first ? first.errors[0]?.reason : undefined;
  return new ImportFileError(`The header line could not be read: ${reason ?? 'unreadable line'}`);
}
