/**
 * Collects the bytes of one record (a JSON element, an NDJSON line) up to a size limit.
 * Past the limit it drops what it holds and only remembers that the record was too big,
 * so one huge record cannot exhaust memory while the scanner skips to its end.
 */
export class BoundedBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(readonly maxBytes: number) {}

  take(bytes: Buffer): void {
    if (this.overflowed || bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      this.overflowed = true;
      this.parts = [];
    } else {
      this.parts.push(bytes);
    }
  }

  /** The record's text, or `undefined` if it overflowed; empties the buffer for the next record. */
  finish(): string | undefined {
    const text = this.overflowed ? undefined : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.overflowed = false;
    return text;
  }
}
