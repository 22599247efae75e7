import { createHash } from 'node:crypto';
import { compileInWorker } from './mjml-pool';

/** A problem in MJML source, at the 1-based line mjml's parser gives. */
export interface MjmlProblem {
  line?: number;
  reason: string;
}

interface MjmlNode {
  tagName?: string;
  children?: MjmlNode[];
}

interface MjmlModules {
  parse(source: string, options: Record<string, unknown>): MjmlNode;
  validate(root: MjmlNode, options: Record<string, unknown>): Array<{ line?: number; message: string }>;
  components: Record<string, unknown>;
  dependencies: unknown;
  initializeType: unknown;
}

let modules: MjmlModules | undefined;

/**
 * mjml's parser and validator, loaded on first use (they take a few hundred ms to load, and
 * most processes never validate an email). They are synchronous and linear, so save-time
 * validation of a source under MJML_MAX_CHARS stays on the loop; compiling is not, and runs in
 * a worker thread (mjml-pool.ts).
 */
function mjml(): MjmlModules {
  if (modules) return modules;
  /* eslint-disable @typescript-eslint/no-require-imports */
  // Registers the standard components with mjml-core, which the validator looks them up in.
  require('mjml');
  const core = require('mjml-core') as { components: Record<string, unknown>; initializeType: unknown };
  const parser = require('mjml-parser-xml') as { default?: MjmlModules['parse'] } & MjmlModules['parse'];
  const validator = require('mjml-validator') as { default: MjmlModules['validate']; dependencies: unknown };
  /* eslint-enable @typescript-eslint/no-require-imports */
  modules = {
    parse: parser.default ?? parser,
    validate: validator.default,
    components: core.components,
    dependencies: validator.dependencies,
    initializeType: core.initializeType,
  };
  return modules;
}

/** Largest MJML source a template may hold (about 100 KB; real emails are a fraction of it). */
export const MJML_MAX_CHARS = 100_000;

/** mjml's strict validation, synchronously: unknown tags, misplaced tags, bad attribute values, each with its line. */
export function validateMjml(source: string): MjmlProblem[] {
  if (source.length > MJML_MAX_CHARS)
    return [{ reason: `MJML may be at most ${MJML_MAX_CHARS} characters (it is ${source.length})` }];
  if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<mjml[\s>]/.test(source))
    return [{ line: 1, reason: 'MJML must start with <mjml>' }];
  const m = mjml();
  let root: MjmlNode;
  try {
    root = m.parse(source, {
      keepComments: false,
      components: { ...m.components },
      filePath: '.',
      actualPath: '.',
      ignoreIncludes: true,
    });
  } catch (err) {
    return [{ reason: `cannot parse the MJML: ${err instanceof Error ? err.message : String(err)}` }];
  }
  if (!root.children?.some((c) => c.tagName === 'mj-body')) return [{ line: 1, reason: 'MJML needs an <mj-body>' }];
  const errors = m.validate(root, {
    components: { ...m.components },
    dependencies: m.dependencies,
    initializeType: m.initializeType,
  });
  return errors.map((e) => ({ ...(typeof e.line === 'number' ? { line: e.line } : {}), reason: e.message.trim() }));
}

/** Compiled HTML by hash of the MJML source: the `{{ … }}` placeholders are still in it. */
const cache = new Map<string, Promise<string>>();
const CACHE_SIZE = 200;

/**
 * MJML → HTML, once per distinct source (compiling takes tens of ms, a send of 100k messages
 * would otherwise spend most of its time here), in a worker thread with a timeout. Least
 * recently used entries go first.
 */
export function compileMjml(source: string): Promise<string> {
  const key = createHash('sha256').update(source).digest('hex');
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const compiled = compileInWorker(source).catch((err: unknown) => {
    cache.delete(key);
    throw err;
  });
  cache.set(key, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return compiled;
}

/** For tests and the benchmark: how many compiled templates are held. */
export function compiledCacheSize(): number {
  return cache.size;
}
