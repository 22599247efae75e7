import type { ScannedElement } from './json-array-scanner';
import { BoundedBuffer } from './bounded-buffer';

/**
 * Splits newline-delimited JSON (one customer object per line) arriving in chunks.
 * Blank lines are skipped and not counted; offsets are absolute bytes, like the array scanner's.
 */
export class NdjsonScanner {
  private offset: number;
  private sawLine = false;
  private readonly buffer: BoundedBuffer;

  constructor(options: { resumeAt?: number; maxElementBytes: number }) {
    this.offset = options.resumeAt ?? 0;
    this.buffer = new BoundedBuffer(options.maxElementBytes);
  }

  push(chunk: Buffer): ScannedElement[] {
    const out: ScannedElement[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      this.buffer.take(chunk.subarray(from, nl));
      const line = this.finishLine(this.offset + nl + 1);
      if (line) out.push(line);
      from = nl + 1;
    }
    this.buffer.take(chunk.subarray(from));
    this.offset += chunk.length;
    return out;
  }

  /** The last line may lack its newline. */
  end(): ScannedElement[] {
    const line = this.finishLine(this.offset);
    return line ? [line] : [];
  }

  /** Whether any non-blank line was seen, so an empty upload can be told apart from a file of blank lines. */
  get empty(): boolean {
    return !this.sawLine;
  }

  private finishLine(end: number): ScannedElement | undefined {
    const text = this.buffer.finish();
    if (text !== undefined && text.trim() === '') return undefined;
    this.sawLine = true;
    return text === undefined ? { end, problem: `line is longer than ${this.buffer.maxBytes} bytes` } : { end, text };
  }
}
