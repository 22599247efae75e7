import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { CodeConfig } from '../models/campaign';

export type { CodeConfig } from '../models/campaign';

/** Voucherify's default alphabet: what an unconfigured campaign generates from. */
export const DEFAULT_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const DEFAULT_LENGTH = 8;
export const PLACEHOLDER = '#';

// Counted in code points, not UTF-16 units, so an emoji alphabet is judged and drawn
// from by the characters a person sees rather than by half surrogate pairs.
const chars = (s: string): string[] => Array.from(s);
const placeholders = (pattern: string): number => chars(pattern).filter((c) => c === PLACEHOLDER).length;

const affix = z.string().max(64);

const charset = z.string().superRefine((value, ctx) => {
  const all = chars(value);
  if (all.length < 2 || all.length > 256) {
    // One character would make every code identical; 256 keeps the alphabet a plain byte-sized choice.
    ctx.addIssue({ code: 'custom', message: `charset must have 2 to 256 characters, got ${all.length}` });
    return;
  }
  const duplicates = [...new Set(all.filter((c, i) => all.indexOf(c) !== i))];
  if (duplicates.length > 0) {
    // A repeated character silently skews the distribution and overstates the capacity.
    ctx.addIssue({ code: 'custom', message: `charset repeats ${duplicates.map((c) => JSON.stringify(c)).join(', ')}` });
  }
});

const pattern = z
  .string()
  .max(128)
  .refine((p) => p.includes(PLACEHOLDER), {
    message: `pattern must contain at least one '${PLACEHOLDER}' (random-character placeholder)`,
  });

/**
 * The request shape of `voucher.code_config`. `suffix` is accepted because the official SDK
 * typings send it although the API documents `postfix`; both at once must agree.
 */
export const codeConfigInput = z
  .strictObject({
    length: z.number().int().min(1).max(64).optional(),
    charset: charset.optional(),
    prefix: affix.optional(),
    postfix: affix.optional(),
    suffix: affix.optional(),
    pattern: pattern.optional(),
  })
  .superRefine((value, ctx) => {
    const conflict = suffixConflict(value);
    if (conflict) ctx.addIssue({ code: 'custom', path: ['suffix'], message: conflict });
  });

export type CodeConfigInput = z.infer<typeof codeConfigInput>;

function suffixConflict(input: { postfix?: string | undefined; suffix?: string | undefined }): string | undefined {
  if (input.postfix !== undefined && input.suffix !== undefined && input.postfix !== input.suffix) {
    // Guessing which alias the caller meant would mint codes they did not ask for.
    return `suffix (${JSON.stringify(input.suffix)}) conflicts with postfix (${JSON.stringify(input.postfix)}); send only postfix`;
  }
  return undefined;
}

export function normaliseCodeConfig(input: CodeConfigInput | undefined): CodeConfig {
  const given = input ?? {};
  // The schema already refuses this; repeated so a caller that skipped parsing cannot slip it through.
  const conflict = suffixConflict(given);
  if (conflict) throw new Error(`invalid code_config: ${conflict}`);
  const config: CodeConfig = {
    length: given.pattern !== undefined ? placeholders(given.pattern) : (given.length ?? DEFAULT_LENGTH),
    charset: given.charset ?? DEFAULT_CHARSET,
    prefix: given.prefix ?? '',
    postfix: given.postfix ?? given.suffix ?? '',
  };
  if (given.pattern !== undefined) config.pattern = given.pattern;
  return config;
}

function randomSlots(config: CodeConfig): number {
  return config.pattern !== undefined ? placeholders(config.pattern) : config.length;
}

/** How many distinct codes the config can produce (charset.length ** placeholders), as a number (Infinity-safe: cap at Number.MAX_SAFE_INTEGER). */
export function codeCapacity(config: CodeConfig): number {
  const base = chars(config.charset).length;
  // Multiplying step by step with an early cap keeps every intermediate exact; `**` on
  // large operands goes through floating point and may be off by an ulp before the cap.
  let capacity = 1;
  for (let i = 0; i < randomSlots(config); i++) {
    if (capacity > Number.MAX_SAFE_INTEGER / base) return Number.MAX_SAFE_INTEGER;
    capacity *= base;
  }
  return capacity;
}

/**
 * Field-level problem when vouchers_count cannot be met without hopeless collision rates: require capacity >= 2 * count.
 *
 * Codes are drawn at random and duplicates are caught by the unique index, then redrawn. While at
 * most half the space is used, each draw collides with probability <= 1/2, so a code costs at most
 * two attempts on average; past that the expected retries grow as 1/(1 - used/capacity) and the
 * last codes of a nearly full space take on the order of `capacity` attempts each. The headroom
 * also leaves AUTO_UPDATE campaigns room to mint more codes later.
 */
export function capacityProblem(
  config: CodeConfig,
  vouchersCount: number,
): { field: string; reason: string } | undefined {
  const capacity = codeCapacity(config);
  if (capacity >= 2 * vouchersCount) return undefined;
  const field = config.pattern !== undefined ? 'code_config.pattern' : 'code_config.length';
  const what =
    config.pattern !== undefined
      ? `pattern ${JSON.stringify(config.pattern)} with ${randomSlots(config)} '${PLACEHOLDER}'`
      : `length ${config.length}`;
  return {
    field,
    reason:
      `${what} over a ${chars(config.charset).length}-character charset allows ${capacity} distinct codes; ` +
      `vouchers_count ${vouchersCount} needs at least ${2 * vouchersCount} (twice the count) to keep collisions rare`,
  };
}

const cryptoRandom = (max: number): number => randomInt(max);

/** n random codes (not guaranteed distinct — uniqueness is the database's unique index's job); uses node:crypto randomInt, no Math.random. */
export function generateCodes(config: CodeConfig, n: number, random: (max: number) => number = cryptoRandom): string[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`code count must be a non-negative integer, got ${n}`);
  const alphabet = chars(config.charset);
  const draw = (): string => {
    const index = random(alphabet.length);
    const c = alphabet[index];
    // An injected source that strays out of range would otherwise yield "undefined" inside a code.
    if (!Number.isInteger(index) || c === undefined) {
      throw new RangeError(
        `random(${alphabet.length}) returned ${index}, expected an integer in [0, ${alphabet.length})`,
      );
    }
    return c;
  };
  const template = config.pattern !== undefined ? chars(config.pattern) : undefined;
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = template
      ? template.map((c) => (c === PLACEHOLDER ? draw() : c)).join('')
      : Array.from({ length: config.length }, draw).join('');
    codes.push(config.prefix + body + config.postfix);
  }
  return codes;
}
