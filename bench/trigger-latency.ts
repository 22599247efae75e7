/**
 * Trigger latency: an automatic `order_paid` distribution (webhook channel to a local
 * receiver), then orders created as PAID through the HTTP API at a steady rate; for each,
 * the time from the API's answer (the write is accepted) to the receiver getting the message.
 * Prints p50 / p95 / p99 / max and how many arrived. Prints, never asserts.
 *
 *   npx tsx bench/trigger-latency.ts [--rate 50] [--seconds 60]     # or: npm run bench:latency
 *
 * MONGO_URL / TEMPORAL_ADDRESS use running servers instead of starting embedded ones.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAppKey } from '../src/auth/app-keys';
import { startApi, startWorker } from '../src/runtime';
import { mb, percentile, RssSampler, startBenchService } from './bench-service';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '50' }, seconds: { type: 'string', default: '60' } } });
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

/** Receives the webhook messages and notes when each order's message arrived. */
async function startReceiver() {
  const arrived = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { order?: { source_id?: string } } };
        const order = body.variables?.order?.source_id;
        if (order && !arrived.has(order)) arrived.set(order, at);
      } catch {
        // Not ours; counted as nothing.
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrived, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-latency-'));
  const { ctx, temporalAddress, children, description, stops } = await startBenchService('latency', workDir);
  const receiver = await startReceiver();
  stops.unshift(() => receiver.close());
  try {
    const worker = await startWorker(ctx, temporalAddress);
    stops.unshift(() => worker.stop());
    const api = await startApi(ctx, '127.0.0.1', 0);
    stops.unshift(() => api.stop());
    const { appId, appToken } = await createAppKey(ctx.models.AppKey, 'bench');
    const headers = { 'Content-Type': 'application/json', 'X-App-Id': appId, 'X-App-Token': appToken };
    await ctx.distributions.create({
      name: 'latency',
      trigger: { type: 'order_paid' },
      purpose: { type: 'plain' },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: receiver.url }, template: { text: 'Order {{order.source_id}} paid' } }],
    });
    console.log(`servers: ${description}; ${RATE} orders/s for ${SECONDS} s`);

    const sampler = new RssSampler(children);
    sampler.start();
    const accepted = new Map<string, number>();
    let failed = 0;
    const total = RATE * SECONDS;
    const started = Date.now();
    const inflight: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      // A steady rate: order i leaves at its slot, however long earlier ones take.
      const wait = started + (i * 1000) / RATE - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = `lat-${i}`;
      inflight.push(
        fetch(`${api.url}/v1/orders`, { method: 'POST', headers, body: JSON.stringify({ source_id: id, customer: { source_id: `lat-customer-${i % 500}` }, amount: 1000, status: 'PAID' }) }).then(
          async (res) => {
            await res.arrayBuffer();
            if (res.ok) accepted.set(id, Date.now());
            else failed += 1;
          },
          () => {
            failed += 1;
          },
        ),
      );
    }
    await Promise.all(inflight);
    const sentFor = Date.now() - started;
    const deadline = Date.now() + 60_000;
    while (receiver.arrived.size < accepted.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    sampler.stop();

    const latencies = [...accepted].flatMap(([id, at]) => {
      const got = receiver.arrived.get(id);
      return got === undefined ? [] : [got - at];
    });
    latencies.sort((a, b) => a - b);
    console.log(`\n== trigger latency: order paid → message at the receiver ==`);
    console.log(`orders             ${accepted.size} accepted, ${failed} failed, in ${(sentFor / 1000).toFixed(1)} s (${(accepted.size / (sentFor / 1000)).toFixed(1)}/s)`);
    console.log(`messages           ${latencies.length} arrived${latencies.length < accepted.size ? ` (${accepted.size - latencies.length} missing after 60 s)` : ''}`);
    console.log(`latency            p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, p99 ${percentile(latencies, 99)} ms, max ${percentile(latencies, 100)} ms`);
    console.log(`peak RSS this process (API + worker) ${mb(sampler.peak)}`);
    sampler.print();
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
