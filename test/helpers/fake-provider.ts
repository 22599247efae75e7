import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import busboy from 'busboy';
import { type OpenApiSpec, validateRequest } from './openapi-validator';

/** Form fields and query parameters: a name given several times becomes an array, in order. */
export type Fields = Record<string, string | string[]>;

/** One request the fake provider got. */
export interface ProviderRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Fields;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Media type without parameters (`multipart/form-data`), `''` when none was sent. */
  contentType: string;
  /** Parsed JSON, the fields of a urlencoded or multipart body, or `undefined` when empty or unparsable. */
  body: unknown;
  raw: string;
  /** What `validate` found wrong; such a request was answered 400. */
  problems: string[];
  /** The status answered (0 when the connection was reset). */
  status: number;
}

/** A scripted answer: `body` objects are sent as JSON, strings as they are; `reset` drops the connection. */
export interface ProviderResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
  reset?: boolean;
}

export interface FakeProviderOptions {
  /** Checks each request (e.g. against the provider's OpenAPI file); problems → 400 with them in the body. */
  validate?: (req: ProviderRequest) => string[];
  /** The answer when neither `respond` nor the script gives one; default 200 `{}`. */
  defaultResponse?: ProviderResponse | ((req: ProviderRequest) => ProviderResponse);
}

export interface FakeProvider {
  /** `http://127.0.0.1:<port>`, no trailing slash: any path is served. */
  url: string;
  /** Every request, valid or not, in arrival order. */
  requests: ProviderRequest[];
  /** The next valid requests get these answers, in order; then the default again. */
  script(responses: ProviderResponse[]): void;
  /** A per-request answer checked before the script; `undefined` falls through. */
  respond(fn: ((req: ProviderRequest) => ProviderResponse | undefined) | undefined): void;
  close(): Promise<void>;
}

function addField(fields: Fields, name: string, value: string): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else fields[name] = [existing, value];
}

function parseUrlEncoded(text: string): Fields {
  const fields: Fields = {};
  for (const [name, value] of new URLSearchParams(text)) addField(fields, name, value);
  return fields;
}

function parseMultipart(headers: IncomingMessage['headers'], raw: Buffer): Promise<Fields> {
  return new Promise((resolve, reject) => {
    const fields: Fields = {};
    const bb = busboy({ headers });
    bb.on('field', (name, value) => addField(fields, name, value));
    // Attachments are not part of any request the adapters make; their content is not needed.
    bb.on('file', (name, stream, info) => {
      addField(fields, name, info.filename ?? '');
      stream.resume();
    });
    bb.on('close', () => resolve(fields));
    bb.on('error', reject);
    bb.end(raw);
  });
}

async function parseBody(req: IncomingMessage, contentType: string, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return undefined;
  try {
    if (contentType === 'application/json' || contentType.endsWith('+json'))
      return JSON.parse(raw.toString('utf8')) as unknown;
    if (contentType === 'application/x-www-form-urlencoded') return parseUrlEncoded(raw.toString('utf8'));
    if (contentType === 'multipart/form-data') return await parseMultipart(req.headers, raw);
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * A provider API on a free local port: records every request with its parsed body, checks it
 * with `validate` (400 with the problems when it fails), and answers as scripted.
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const requests: ProviderRequest[] = [];
  let scripted: ProviderResponse[] = [];
  let override: ((req: ProviderRequest) => ProviderResponse | undefined) | undefined;
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const record: ProviderRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: parseUrlEncoded(url.search.slice(1)),
      headers,
      contentType,
      body: await parseBody(req, contentType, raw),
      raw: raw.toString('utf8'),
      problems: [],
      status: 0,
    };
    if (raw.length > 0 && record.body === undefined)
      record.problems.push(`unparsable ${contentType || 'untyped'} body`);
    record.problems.push(...(options.validate?.(record) ?? []));
    requests.push(record);

    let answer: ProviderResponse;
    if (record.problems.length > 0)
      answer = { status: 400, body: { fake_provider: 'invalid request', problems: record.problems } };
    else {
      const fallback = options.defaultResponse;
      answer = override?.(record) ??
        scripted.shift() ??
        (typeof fallback === 'function' ? fallback(record) : fallback) ?? { status: 200, body: {} };
    }
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer.reset) {
      req.socket.destroy();
      return;
    }
    record.status = answer.status;
    if (res.destroyed) return;
    const isText = typeof answer.body === 'string';
    const payload = answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...(payload ? { 'content-type': isText ? 'text/plain' : 'application/json' } : {}),
      ...answer.headers,
    });
    res.end(payload);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(responses) {
      scripted = [...scripted, ...responses];
    },
    respond(fn) {
      override = fn;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `validate` for `startFakeProvider` from a spec loaded with `loadOpenApi`. */
export function openApiValidator(spec: OpenApiSpec): (req: ProviderRequest) => string[] {
  return (req) =>
    validateRequest(spec, {
      method: req.method,
      path: req.path,
      contentType: req.contentType,
      body: req.body,
      query: req.query,
    });
}
