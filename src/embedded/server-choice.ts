import { MissingToolError } from '../tools/install';

/** One way to get a server, in the order the service prefers them. */
export interface Candidate<K extends string, T> {
  kind: K;
  /** Resolves to what starting it needs; rejects with a MissingToolError when this way is not available here. */
  obtain: () => T | Promise<T>;
}

export interface Choice<K extends string, T> {
  kind: K;
  value: T;
  /** The candidates before the chosen one and why each was not used, for the start-up log. */
  skipped: Array<{ kind: K; reason: string }>;
}

/** A forced kind leaves only that one; `auto` keeps the whole order. */
export function candidateKinds<K extends string>(order: readonly K[], forced: K | 'auto'): K[] {
  return forced === 'auto' ? [...order] : order.filter((kind) => kind === forced);
}

/**
 * Takes the first candidate that can be obtained. Only a MissingToolError (absent, or a
 * download that could not be made) moves on to the next one; any other error is a real
 * fault of a way that should have worked, and stops the start so it is seen.
 */
export async function chooseFirst<K extends string, T>(
  candidates: Array<Candidate<K, T>>,
  what: string,
): Promise<Choice<K, T>> {
  const skipped: Array<{ kind: K; reason: string }> = [];
  for (const candidate of candidates) {
    try {
      return { kind: candidate.kind, value: await candidate.obtain(), skipped };
    } catch (err) {
      if (!(err instanceof MissingToolError)) throw err;
      skipped.push({ kind: candidate.kind, reason: err.message });
    }
  }
  throw new MissingToolError(`No ${what}: ${skipped.map((s) => `${s.kind}: ${s.reason}`).join(' ')}`);
}

/** `mongod (not used: mongod-on-path: none on PATH; ...)` for the start-up log. */
export function describeChoice<K extends string>(
  choice: Pick<Choice<K, unknown>, 'kind' | 'skipped'>,
  preface: string[] = [],
): string {
  const notUsed = [...preface, ...choice.skipped.map((s) => `${s.kind}: ${s.reason.replace(/\.$/, '')}`)];
  return notUsed.length === 0 ? choice.kind : `${choice.kind} (not used: ${notUsed.join('; ')})`;
}
