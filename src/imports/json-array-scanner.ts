import { ImportFileError } from './import-file-error';
import { BoundedBuffer } from './bounded-buffer';

/** An element of the top-level array, as text to JSON.parse, or why it cannot be. */
export type ScannedElement = { end: number; text: string } | { end?: number; problem: string };

type State = 'start' | 'expect' | 'element' | 'after' | 'done';

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Splits a JSON array arriving in chunks into its elements without holding more than
 * one element: it follows only strings and bracket depth, and leaves each element's own
 * syntax to JSON.parse. So a broken element costs that row, not the file. Offsets are
 * absolute bytes, so a run can resume right after any element (`resumeAt`).
 */
export class JsonArrayScanner {
  private state: State;
  private offset: number;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private missingComma = false;
  private trailingReported = false;
  private readonly buffer: BoundedBuffer;

  constructor(options: { resumeAt?: number; maxElementBytes: number }) {
    this.state = options.resumeAt === undefined ? 'start' : 'after';
    this.offset = options.resumeAt ?? 0;
    this.buffer = new BoundedBuffer(options.maxElementBytes);
  }

  push(chunk: Buffer): ScannedElement[] {
    const out: ScannedElement[] = [];
    let elementFrom = this.state === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      const at = this.offset + i;
      switch (this.state) {
        case 'start':
          if (isSpace(b) || (at < 3 && b === BOM[at])) break;
          if (b !== OPEN_ARRAY)
            throw new ImportFileError(
              'A JSON import must be an array of customer objects: the body does not start with [.',
            );
          this.state = 'expect';
          break;
        case 'expect':
        case 'after':
          if (isSpace(b)) break;
          if (b === CLOSE_ARRAY) {
            this.state = 'done';
          } else if (b === COMMA) {
            if (this.state === 'expect') out.push({ end: at, problem: 'empty element: two commas in a row' });
            this.state = 'expect';
          } else {
            this.missingComma = this.state === 'after';
            this.state = 'element';
            elementFrom = i;
            i--;
          }
          break;
        case 'element': {
          const ended = this.step(b);
          if (ended === undefined) break;
          // A primitive ends before the delimiter that closes it; a string or container includes its last byte.
          const endIndex = ended === 'before' ? i : i + 1;
          this.buffer.take(chunk.subarray(elementFrom, endIndex));
          out.push(this.finishElement(this.offset + endIndex));
          elementFrom = -1;
          if (ended === 'before') i--;
          break;
        }
        case 'done':
          if (isSpace(b) || this.trailingReported) break;
          this.trailingReported = true;
          out.push({ problem: 'unexpected data after the closing ] of the array (ignored)' });
          break;
      }
    }
    if (this.state === 'element' && elementFrom >= 0) this.buffer.take(chunk.subarray(elementFrom));
    this.offset += chunk.length;
    return out;
  }

  end(): ScannedElement[] {
    switch (this.state) {
      case 'start':
        throw new ImportFileError('The upload is empty: expected a JSON array of customer objects.');
      case 'element':
        return [{ problem: 'the upload ends inside this element (truncated file?)' }];
      case 'expect':
      case 'after':
        return [
          { problem: 'the array is not closed with ] (truncated file?); every element before this one was read' },
        ];
      case 'done':
        return [];
    }
  }

  /** Advances inside an element; says when the element has ended and whether `b` belongs to it. */
  private step(b: number): 'before' | 'after' | undefined {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (b === BACKSLASH) this.escaped = true;
      else if (b === QUOTE) {
        this.inString = false;
        if (this.depth === 0) return 'after';
      }
      return undefined;
    }
    if (b === QUOTE) {
      this.inString = true;
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      this.depth++;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      if (this.depth === 0) return b === CLOSE_ARRAY ? 'before' : undefined;
      this.depth--;
      if (this.depth === 0) return 'after';
    } else if (this.depth === 0 && (b === COMMA || isSpace(b))) {
      return 'before';
    }
    return undefined;
  }

  private finishElement(end: number): ScannedElement {
    const text = this.buffer.finish();
    const element: ScannedElement =
      text === undefined
        ? { end, problem: `element is larger than ${this.buffer.maxBytes} bytes` }
        : this.missingComma
          ? { end, problem: 'expected , or ] before this element' }
          : { end, text };
    this.missingComma = false;
    this.state = 'after';
    return element;
  }
}
