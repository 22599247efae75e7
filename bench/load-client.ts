/**
 * The latency bench's load: the webhook receiver and the HTTP client that creates orders,
 * in a worker thread of their own, so that in the one-process mode they do not share the
 * event loop of the API and worker they measure. Both clocks are this thread's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, Worker } from 'node:worker_threads';

export interface Send {
  url: string;
  headers: Record<string, string>;
  /** Order source ids are `${prefix}-<i>`. */
  prefix: string;
  rate: number;
  seconds: number;
}

export interface Sent {
  /** When the API answered each accepted order, by source id (epoch ms). */
  accepted: Array<[string, number]>;
  /** When each order's message reached the receiver. */
  arrived: Array<[string, number]>;
  /** Why requests failed, by HTTP status or error name: a bench that only counts failures hides their cause. */
  failures: Array<[string, number]>;
  started: number;
  sentFor: number;
}

/** Starts the thread; resolves once its receiver listens. */
export async function startLoadClient(): Promise<{
  receiverUrl: string;
  send(send: Send): Promise<Sent>;
  close(): Promise<void>;
}> {
  // tsx's hooks registered in this thread do not reach a new one: the thread registers them itself.
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true });
  const replies: Array<(value: unknown) => void> = [];
  worker.on('message', (message: unknown) => replies.shift()?.(message));
  const next = <T>() => new Promise<T>((resolve) => replies.push(resolve as (value: unknown) => void));
  const receiverUrl = await next<string>();
  return {
    receiverUrl,
    send(send) {
      const reply = next<Sent>();
      worker.postMessage(send);
      return reply;
    },
    close: () => worker.terminate().then(() => undefined),
  };
}

/** Receives the webhook messages and notes when each order's message first arrived. */
async function startReceiver(arrived: Map<string, number>): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          variables?: { order?: { source_id?: string } };
        };
        const order = body.variables?.order?.source_id;
        if (order && !arrived.has(order)) arrived.set(order, at);
      } catch {
        // Not ours; counted as nothing.
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/**
 * Creates orders as PAID at `rate` per second for `seconds`, then waits up to 60 s for
 * their messages. Customers repeat every 500 orders, so summaries grow as in a shop.
 */
async function sendOrders({ url, headers, prefix, rate, seconds }: Send, arrived: Map<string, number>): Promise<Sent> {
  const accepted = new Map<string, number>();
  const failures = new Map<string, number>();
  const fail = (why: string) => void failures.set(why, (failures.get(why) ?? 0) + 1);
  const total = rate * seconds;
  const started = Date.now();
  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    // A steady rate: order i leaves at its slot, however long earlier ones take.
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `${prefix}-${i}`;
    inflight.push(
      fetch(`${url}/v1/orders`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          source_id: id,
          customer: { source_id: `lat-customer-${i % 500}` },
          amount: 1000,
          status: 'PAID',
        }),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.ok) accepted.set(id, Date.now());
          else fail(`HTTP ${res.status}`);
        },
        (err: unknown) =>
          fail((err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err)),
      ),
    );
  }
  await Promise.all(inflight);
  const sentFor = Date.now() - started;
  const deadline = Date.now() + 60_000;
  while ([...accepted.keys()].some((id) => !arrived.has(id)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  return {
    accepted: [...accepted],
    arrived: [...accepted.keys()].flatMap((id) =>
      arrived.has(id) ? [[id, arrived.get(id)!] as [string, number]] : [],
    ),
    failures: [...failures],
    started,
    sentFor,
  };
}

if (parentPort) {
  const port = parentPort;
  const arrived = new Map<string, number>();
  void startReceiver(arrived).then((receiverUrl) => port.postMessage(receiverUrl));
  port.on('message', (send: Send) => void sendOrders(send, arrived).then((sent) => port.postMessage(sent)));
}
