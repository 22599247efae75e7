import { z } from 'zod';

/**
 * How deep and how large a metadata object may be. Deeper documents broke the embedded
 * database (a 1,000-deep object overflowed mongo-java-server's stack and closed the store);
 * every metadata value is stored, indexed by segment filters and copied into messages.
 */
export const METADATA_MAX_DEPTH = 10;
export const METADATA_MAX_BYTES = 64 * 1024;

/**
 * Whether a JSON value nests objects/arrays deeper than `limit` (the metadata object itself is
 * level 1). Iterative and stops at the first too-deep branch: it cannot overflow the stack itself.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Why a free-form object (metadata, settings, a filter) is refused — too deep, too large — or undefined when it is fine. */
export function jsonBoundsProblem(value: unknown, what = 'metadata'): string | undefined {
  if (nestsDeeperThan(value, METADATA_MAX_DEPTH)) return `${what} may nest at most ${METADATA_MAX_DEPTH} levels deep`;
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > METADATA_MAX_BYTES) return `${what} may be at most ${METADATA_MAX_BYTES} bytes as JSON (it is ${bytes})`;
  return undefined;
}

/** A free-form JSON object field, bounded like metadata: depth and size refused with a 400 naming `what`. */
export function boundedRecord<K extends z.core.$ZodRecordKey>(key: K, what: string) {
  return z.record(key, z.unknown()).superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value, what);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
