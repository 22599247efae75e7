import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the fake webhook receiver got. */
export interface WebhookRequest {
  method: string;
  /** Path and query, e.g. `/hooks/a?x=1`. */
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body (`undefined` when it was not JSON). */
  body: unknown;
  raw: string;
  /** `X-Promo-Signature` matched `X-Promo-Timestamp` + body under the secret, and the timestamp is fresh. */
  signatureValid: boolean;
  idempotencyKey: string | undefined;
  /** The status the fake answered with (0 when it reset the connection). */
  status: number;
  receivedAt: Date;
}

/** A scripted answer: `reset` drops the connection instead of answering; `delayMs` waits first. */
export interface WebhookResponse {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
  reset?: boolean;
}

export interface FakeWebhook {
  /** `http://127.0.0.1:<port>/hook`; any other path on the same port is accepted too. */
  url: string;
  /** Requests answered with a 2xx. */
  requests: WebhookRequest[];
  /** Every request, whatever the answer. */
  all: WebhookRequest[];
  /** The next requests get these answers, in order; after them, 200 again. */
  script(responses: WebhookResponse[]): void;
  /** A per-request override (checked before the script), e.g. 410 for one path or body field; `undefined` falls through. */
  respond(fn: ((req: WebhookRequest) => WebhookResponse | undefined) | undefined): void;
  /** Accepted requests whose Idempotency-Key had already been accepted. */
  duplicates(): number;
  /** Resolves once at least `n` requests were accepted (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<WebhookRequest[]>;
  close(): Promise<void>;
}

/** What a receiver accepts as a fresh timestamp, as Standard Webhooks suggests. */
const TOLERANCE_SECONDS = 5 * 60;

/** The signature a receiver expects: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. */
export function expectedSignature(secret: string, timestamp: string, raw: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
}

function verify(secret: string, headers: Record<string, string>, raw: string): boolean {
  const timestamp = headers['x-promo-timestamp'];
  const signature = headers['x-promo-signature'];
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(expectedSignature(secret, timestamp, raw));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * A webhook receiver on a free local port that checks every request's HMAC signature and
 * timestamp (401 otherwise) and JSON body (400 otherwise), records it, and answers 200
 * unless scripted otherwise.
 */
export async function startFakeWebhook(secret: string): Promise<FakeWebhook> {
  const requests: WebhookRequest[] = [];
  const all: WebhookRequest[] = [];
  let scripted: WebhookResponse[] = [];
  let override: ((req: WebhookRequest) => WebhookResponse | undefined) | undefined;
  const acceptedKeys = new Set<string>();
  let duplicateCount = 0;
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const record: WebhookRequest = {
      method: req.method ?? '',
      path: req.url ?? '/',
      headers,
      body,
      raw,
      signatureValid: verify(secret, headers, raw),
      idempotencyKey: headers['idempotency-key'],
      status: 0,
      receivedAt: new Date(),
    };
    all.push(record);

    let answer: WebhookResponse;
    if (!record.signatureValid) answer = { status: 401 };
    else if (body === undefined) answer = { status: 400 };
    else answer = override?.(record) ?? scripted.shift() ?? { status: 200 };

    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer.reset) {
      req.socket.destroy();
      return;
    }
    record.status = answer.status;
    if (answer.status >= 200 && answer.status < 300) {
      if (record.idempotencyKey !== undefined) {
        if (acceptedKeys.has(record.idempotencyKey)) duplicateCount++;
        acceptedKeys.add(record.idempotencyKey);
      }
      requests.push(record);
      for (const w of [...waiters]) w();
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify({ ok: answer.status < 300 }));
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
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    all,
    script(responses) {
      scripted = [...scripted, ...responses];
    },
    respond(fn) {
      override = fn;
    },
    duplicates: () => duplicateCount,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(requests.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake webhook: expected ${n} accepted requests, got ${requests.length} in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
