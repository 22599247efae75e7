import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/**
 * A provider's OpenAPI description, ready to check requests against.
 *
 * `$ref`s are resolved by Ajv against the whole document (registered under one key) rather
 * than by `@apidevtools/json-schema-ref-parser`: that package is ESM-only and Jest's CommonJS
 * runtime can neither `require` nor `import()` it. Resolving in place also keeps recursive
 * schemas (Intercom's) compilable, which a dereferenced object graph with cycles is not.
 */
export interface OpenApiSpec {
  file: string;
  doc: Record<string, unknown>;
  /** Ajv key of the registered document. */
  key: string;
  /** `3.0.x` documents are JSON Schema draft-04-ish (plain Ajv); `3.1.x` are 2020-12. */
  version: '3.0' | '3.1';
  /** Base paths of the servers (`/api/1.4`), longest first; `''` when a server has none. */
  basePaths: string[];
  /** Compiled validators by JSON pointer (+ `|form` for string-coerced form bodies). */
  validators: Map<string, ValidateFunction>;
}

export interface RequestToValidate {
  method: string;
  /** The request's path, without the query string (one is tolerated and dropped). */
  path: string;
  /** `application/json`, `application/x-www-form-urlencoded`, `multipart/form-data` (parameters after `;` ignored). */
  contentType?: string;
  /** Parsed JSON, or the fields object of a form body. */
  body?: unknown;
  query?: Record<string, string | string[]>;
}

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let specCounter = 0;
const specCache = new Map<string, Promise<OpenApiSpec>>();

/** One Ajv per (OpenAPI version, coercion): form fields arrive as strings and single values. */
const ajvs = new Map<string, Ajv>();
function ajvFor(version: '3.0' | '3.1', form: boolean): Ajv {
  const id = `${version}|${form}`;
  let ajv = ajvs.get(id);
  if (!ajv) {
    const options = {
      strict: false,
      allErrors: true,
      validateSchema: false,
      logger: false as const,
      ...(form ? { coerceTypes: 'array' as const } : {}),
    };
    ajv = version === '3.1' ? new Ajv2020(options) : new Ajv(options);
    addFormats(ajv);
    ajvs.set(id, ajv);
  }
  return ajv;
}

export interface LoadOptions {
  /**
   * Corrects a known defect of a provider's file before use (e.g. Mandrill's `ApiKey` schema
   * has `additionalProperties: false` inside an `allOf`, refusing every real request). Files
   * loaded with a patch are cached apart from the same file loaded without one.
   */
  patch?: (doc: Record<string, unknown>) => void;
}

/** Loads (once per file and patch) a JSON or YAML OpenAPI 3.0/3.1 document. */
export function loadOpenApi(file: string, options: LoadOptions = {}): Promise<OpenApiSpec> {
  const abs = path.resolve(file);
  const cacheKey = `${abs}|${options.patch?.toString() ?? ''}`;
  let cached = specCache.get(cacheKey);
  if (!cached) {
    cached = Promise.resolve().then(() => readSpec(abs, options));
    specCache.set(cacheKey, cached);
  }
  return cached;
}

/** OpenAPI 3.0's `nullable` without a `type` (allowed there) makes Ajv refuse the schema; it adds nothing then. */
function dropUntypedNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropUntypedNullable(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if ('nullable' in obj && typeof obj.nullable === 'boolean' && !('type' in obj)) delete obj.nullable;
  for (const value of Object.values(obj)) dropUntypedNullable(value);
}

function readSpec(file: string, options: LoadOptions): OpenApiSpec {
  const text = readFileSync(file, 'utf8');
  const doc = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>;
  const openapi = String(doc.openapi ?? '');
  if (!/^3\.[01]\./.test(openapi))
    throw new Error(`${file}: not an OpenAPI 3.0/3.1 document (openapi: ${openapi || 'missing'})`);
  const version = openapi.startsWith('3.1') ? '3.1' : '3.0';
  if (version === '3.0') dropUntypedNullable(doc);
  options.patch?.(doc);
  const key = `openapi-spec-${++specCounter}`;
  ajvFor(version, false).addSchema(doc, key);
  ajvFor(version, true).addSchema(doc, key);
  return { file, doc, key, version, basePaths: serverBasePaths(doc.servers), validators: new Map() };
}

function serverBasePaths(servers: unknown): string[] {
  const paths = new Set<string>();
  for (const server of Array.isArray(servers) ? servers : []) {
    const url = (server as { url?: unknown }).url;
    if (typeof url !== 'string') continue;
    // Server URLs may be relative or carry `{variables}`; only the path matters here.
    const withoutHost = url.replace(/^[a-z]+:\/\/[^/]*/i, '');
    paths.add(withoutHost.replace(/\/+$/, ''));
  }
  if (paths.size === 0) paths.add('');
  return [...paths].sort((a, b) => b.length - a.length);
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** Follows a local `$ref` (one or a chain) outside schemas: request bodies, parameters. */
function deref(spec: OpenApiSpec, value: unknown, pointer: string): { value: unknown; pointer: string } {
  let current = value;
  let at = pointer;
  for (let hops = 0; hops < 20; hops++) {
    const ref = (current as { $ref?: unknown } | null)?.$ref;
    if (typeof ref !== 'string') return { value: current, pointer: at };
    if (!ref.startsWith('#/')) throw new Error(`${spec.file}: only local $refs are supported (${ref})`);
    at = ref.slice(1);
    current = at
      .split('/')
      .slice(1)
      .reduce<unknown>(
        (node, part) => (node as Record<string, unknown> | undefined)?.[unescapePointer(part)],
        spec.doc,
      );
  }
  throw new Error(`${spec.file}: $ref chain too long at ${pointer}`);
}

function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}

/** Candidate operation paths for a request path: each server base path stripped, or the path as is. */
function candidatePaths(spec: OpenApiSpec, requestPath: string): string[] {
  const out: string[] = [];
  for (const base of spec.basePaths)
    if (base !== '' && requestPath.startsWith(`${base}/`)) out.push(requestPath.slice(base.length));
  out.push(requestPath);
  // Providers serve older versions under other base paths (Mandrill's spec says /api/1.4, clients use /api/1.0):
  // as a last resort, drop as many leading segments as a server's base path has.
  for (const base of spec.basePaths) {
    const depth = base.split('/').length - 1;
    if (depth > 0)
      out.push(
        `/${requestPath
          .split('/')
          .slice(depth + 1)
          .join('/')}`,
      );
  }
  return out;
}

/** The operation for a method and path; literal segments beat `{param}` ones when several match. */
function findOperation(
  spec: OpenApiSpec,
  method: string,
  requestPath: string,
):
  | { template: string; operation: Record<string, unknown>; pointer: string; pathItem: Record<string, unknown> }
  | undefined {
  const paths = (spec.doc.paths ?? {}) as Record<string, Record<string, unknown>>;
  const m = method.toLowerCase();
  let best: { template: string; score: number } | undefined;
  for (const candidate of candidatePaths(spec, requestPath)) {
    for (const [template, item] of Object.entries(paths)) {
      if (!item || typeof item !== 'object' || !(m in item)) continue;
      if (!templateRegex(template).test(candidate)) continue;
      const score = template.replace(/\{[^}]+\}/g, '').length;
      if (!best || score > best.score) best = { template, score };
    }
    if (best) break;
  }
  if (!best) return undefined;
  const pathItem = paths[best.template] as Record<string, unknown>;
  return {
    template: best.template,
    operation: pathItem[m] as Record<string, unknown>,
    pathItem,
    pointer: `/paths/${escapePointer(best.template)}/${m}`,
  };
}

function compileAt(spec: OpenApiSpec, pointer: string, form: boolean): ValidateFunction {
  const cacheKey = `${pointer}|${form ? 'form' : 'json'}`;
  const cached = spec.validators.get(cacheKey);
  if (cached) return cached;
  const ajv = ajvFor(spec.version, form);
  // A JSON pointer inside a URI fragment: each (already ~-escaped) segment percent-encoded.
  const ref = { $ref: `${spec.key}#${pointer.split('/').map(encodeURIComponent).join('/')}` };
  // Providers use formats Ajv does not know (`phone-number`, `int32`…): accept any value for those.
  for (let attempt = 0; ; attempt++) {
    try {
      const validate = ajv.compile(ref);
      spec.validators.set(cacheKey, validate);
      return validate;
    } catch (err) {
      const unknown = /unknown format "([^"]+)"/.exec(String((err as Error).message));
      if (!unknown?.[1] || attempt > 50) throw err;
      for (const a of ajvs.values()) if (!a.formats[unknown[1]]) a.addFormat(unknown[1], true);
    }
  }
}

function formatErrors(where: string, validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map(
    (e) =>
      `${where}${e.instancePath || ''}: ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}

/**
 * What is wrong with a request according to the spec: an unknown operation, a content type the
 * operation does not take, a body its schema refuses, a missing required query parameter.
 * Empty when the request is valid.
 */
export function validateRequest(spec: OpenApiSpec, req: RequestToValidate): string[] {
  const requestPath = req.path.split('?')[0] ?? req.path;
  const op = findOperation(spec, req.method, requestPath);
  if (!op) return [`unknown operation ${req.method.toUpperCase()} ${requestPath} in ${path.basename(spec.file)}`];
  const where = `${req.method.toUpperCase()} ${op.template}`;
  const problems: string[] = [];

  const params = [
    ...((op.pathItem.parameters as unknown[] | undefined) ?? []),
    ...((op.operation.parameters as unknown[] | undefined) ?? []),
  ];
  params.forEach((raw, i) => {
    const { value, pointer } = deref(spec, raw, `${op.pointer}/parameters/${i}`);
    const p = value as { in?: string; name?: string; required?: boolean; schema?: unknown };
    if (p.in !== 'query' || !p.name) return;
    const given = req.query?.[p.name];
    if (given === undefined) {
      if (p.required) problems.push(`${where}: missing required query parameter ${p.name}`);
      return;
    }
    if (!p.schema) return;
    const validate = compileAt(spec, `${pointer}/schema`, true);
    if (!validate(given)) problems.push(...formatErrors(`${where} query ${p.name}`, validate));
  });

  if (op.operation.requestBody === undefined) return problems;
  const { value: bodyDef, pointer: bodyPointer } = deref(spec, op.operation.requestBody, `${op.pointer}/requestBody`);
  const body = bodyDef as { required?: boolean; content?: Record<string, { schema?: unknown }> };
  const contentType = (req.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const hasBody = req.body !== undefined && req.body !== null && !(typeof req.body === 'string' && req.body === '');
  if (!hasBody) {
    if (body.required) problems.push(`${where}: request body is required`);
    return problems;
  }
  const media = body.content?.[contentType];
  if (!media) {
    problems.push(
      `${where}: content type ${contentType || '(none)'} not accepted (accepts ${Object.keys(body.content ?? {}).join(', ')})`,
    );
    return problems;
  }
  if (!media.schema) return problems;
  const validate = compileAt(
    spec,
    `${bodyPointer}/content/${escapePointer(contentType)}/schema`,
    FORM_TYPES.has(contentType),
  );
  // Coercion rewrites the data it checks; the recorded body stays as it was received.
  const data = FORM_TYPES.has(contentType) ? structuredClone(req.body) : req.body;
  if (!validate(data)) problems.push(...formatErrors(`${where} body`, validate));
  return problems;
}

/** All operations the spec declares, as `METHOD /template` (for diagnostics). */
export function listOperations(spec: OpenApiSpec): string[] {
  const paths = (spec.doc.paths ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([template, item]) =>
    HTTP_METHODS.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${template}`),
  );
}
