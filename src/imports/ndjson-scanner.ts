import type { ScannedElement } from './json-array-scanner';

/**
 * Splits newline-delimited JSON (one customer object per line) arriving in chunks.
 * Blank lines are skipped and not counted; offsets are absolute bytes, like the array scanner's.
 */
export class NdjsonScanner {
  private offset: number;
  private parts: Buffer[] = [];
  private size = 0;
  private tooBig = false;
  private sawLine = false;
  private readonly maxElementBytes: number;

  constructor(options: { resumeAt?: number; maxElementBytes: number }) {
    this.offset = options.resumeAt ?? 0;
    this.maxElementBytes = options.maxElementBytes;
  }

  push(chunk: Buffer): ScannedElement[] {
    const out: ScannedElement[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      this.take(chunk.subarray(from, nl));
      const line = this.finishLine(this.offset + nl + 1);
      if (line) out.push(line);
      from = nl + 1;
    }
    this.take(chunk.subarray(from));
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

  private take(bytes: Buffer): void {
    if (this.tooBig || bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.maxElementBytes) {
      this.tooBig = true;
      this.parts = [];
    } else {
      this.parts.push(bytes);
    }
  }

  private finishLine(end: number): ScannedElement | undefined {
    const tooBig = this.tooBig;
    const text = tooBig ? '' : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.tooBig = false;
    if (!tooBig && text.trim() === '') return undefined;
    this.sawLine = true;
    return tooBig ? { end, problem: `line is longer than ${this.maxElementBytes} bytes` } : { end, text };
  }
}
