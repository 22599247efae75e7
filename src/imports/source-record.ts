import type { FieldError } from '../errors';

/**
 * One record read from an upload, numbered from 1 in file order. `end` is the byte offset
 * right after it, where a resumed run may start; records that could not be read at all
 * may not know it.
 */
export type SourceRecord =
  | { row: number; end: number; value: unknown }
  | { row: number; end?: number; errors: FieldError[] };

/** Where reading starts: at the beginning, or after a committed batch. */
export interface ReadPosition {
  /** Rows already handled; the next record is `row + 1`. */
  row: number;
  /** Byte offset the stream passed to the reader starts at. */
  byte: number;
}
