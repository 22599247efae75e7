import { Transform, type Readable } from 'node:stream';
import type { UploadFormat } from '../models/async-action';
import { readCsvRecords } from './csv-records';
import { ImportFileError } from './import-file-error';
import { readJsonRecords } from './json-records';
import type { ReadPosition, SourceRecord } from './source-record';

const SNIFF_BYTES = 8 * 1024;

export interface ReadOptions {
  format: UploadFormat;
  position: ReadPosition;
  csvHeader?: string[];
  onCsvHeader(header: string[]): Promise<void>;
}

/** The records of an upload from a position on, whatever its format. */
export function readRecords(input: Readable, options: ReadOptions): AsyncGenerator<SourceRecord> {
  const text = options.position.byte === 0 ? input.pipe(rejectBinary()) : input;
  if (text !== input) input.once('error', (err) => text.destroy(err));
  return options.format === 'csv'
    ? readCsvRecords(text, { position: options.position, header: options.csvHeader, onHeader: options.onCsvHeader })
    : readJsonRecords(text, { format: options.format, position: options.position });
}

/**
 * Text formats never hold NUL bytes; a spreadsheet, an archive or UTF-16 text does. Failing
 * on them up front gives one clear reason instead of a report of garbled rows.
 */
function rejectBinary(): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (seen < SNIFF_BYTES && chunk.subarray(0, SNIFF_BYTES - seen).includes(0)) {
        done(
          new ImportFileError(
            'The file is not UTF-8 text (it contains NUL bytes): upload a CSV or JSON file saved as UTF-8.',
          ),
        );
        return;
      }
      seen += chunk.length;
      done(null, chunk);
    },
  });
}
