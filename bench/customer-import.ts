/**
 * Benchmark of the customer import, end to end: a generated CSV is uploaded through HTTP with
 * the official SDK's customers.importCSV to the real app, imported by a real worker (both in
 * this process) against the project's servers, and polled until DONE.
 *
 *   npx tsx bench/customer-import.ts
 *
 * Optional environment: BENCH_ROWS=100000; BENCH_SEGMENT=1 (an auto-update segment a third of
 * the rows enter, so each of those raises an entered event: at 100k rows the events outgrow the
 * embedded mongo-java-server's 512 MB heap, so use it with MONGO_URL); BENCH_REIMPORT=1 (import
 * the same file a second time: every row then updates an existing customer); MONGO_URL /
 * TEMPORAL_ADDRESS to use running servers instead of starting embedded ones; TOOLS_DIR as for the app.
 *
 * Prints figures and never asserts. Peak RSS is this process (API + worker + SDK client);
 * the database and Temporal servers are separate processes, reported on their own when started here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VoucherifyServerSide } from '@voucherify/sdk';
import { createAppKey } from '../src/auth/app-keys';
import { createApp } from '../src/http/app';
import { startWorker } from '../src/runtime';
import { mb, RssSampler, startBenchService } from './bench-service';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const WITH_SEGMENT = process.env.BENCH_SEGMENT === '1';
const REIMPORT = process.env.BENCH_REIMPORT === '1';
/** One row in this many has an invalid email, so the error report is exercised too. */
const BAD_EVERY = 1000;

/** Written through a stream with back-pressure, so the generator never holds the file either. */
async function writeCsv(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write('source_id,name,email,phone,birthdate,city,postal_code,country,tier,signup_channel\n');
  const tiers = ['gold', 'silver', 'bronze'];
  for (let i = 1; i <= rows; i++) {
    const email = i % BAD_EVERY === 0 ? `broken-${i}` : `customer${i}@example.com`;
    const birthdate = `19${50 + (i % 50)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    await write(
      `bench-${i},Customer ${i},${email},+49301${String(i).padStart(7, '0')},${birthdate},Berlin,${10000 + (i % 900)},DE,${tiers[i % 3]},${i % 2 ? 'web' : 'store'}\n`,
    );
  }
  out.end();
  await once(out, 'finish');
  return fs.statSync(file).size;
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
  const { ctx, temporalAddress, children, description, stops } = await startBenchService('import', workDir);
  const { models } = ctx;
  try {
    const file = path.join(workDir, 'customers.csv');
    let started = Date.now();
    const bytes = await writeCsv(file, ROWS);
    console.log(`generated ${ROWS} rows, ${mb(bytes)} in ${Date.now() - started} ms`);

    const { appId, appToken } = await createAppKey(models.AppKey, 'bench', 'write');
    const server: Server = await new Promise((resolve) => {
      const s = createApp(ctx).listen(0, '127.0.0.1', () => resolve(s));
    });
    stops.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const worker = await startWorker(ctx, temporalAddress);
    stops.unshift(() => worker.stop());
    const client = VoucherifyServerSide({
      applicationId: appId,
      secretKey: appToken,
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });

    if (WITH_SEGMENT) {
      const segment = await ctx.segments.create({
        name: 'Gold',
        type: 'auto-update',
        filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } },
      });
      while ((await models.Segment.findById(segment._id).lean())?.sync_status !== 'synced')
        await new Promise((r) => setTimeout(r, 200));
    }
    console.log(
      `servers: ${description}; auto-update segment: ${WITH_SEGMENT ? 'yes (a third of the rows enter it)' : 'no'}`,
    );

    const sampler = new RssSampler(children);
    for (const pass of REIMPORT ? ['first import', 're-import (every row updates an existing customer)'] : ['import']) {
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      sampler.start();
      started = Date.now();
      const { async_action_id: id } = await client.customers.importCSV(file);
      const uploaded = Date.now();
      let action = await client.asyncActions.get(id);
      while (action.status !== 'DONE' && action.status !== 'FAILED') {
        await new Promise((r) => setTimeout(r, 250));
        action = await client.asyncActions.get(id);
      }
      const finished = Date.now();
      sampler.stop();
      const result = action.result as { done_count: number; failed_count: number; errors: unknown[] };
      const seconds = (finished - started) / 1000;
      console.log(`\n== ${pass} ==`);
      console.log(
        `status              ${action.status} (${(action as { operation_status?: string }).operation_status}); done ${result.done_count}, failed ${result.failed_count}, errors listed ${result.errors.length}`,
      );
      console.log(`upload (202)        ${uploaded - started} ms for ${mb(bytes)}`);
      console.log(`import after upload ${finished - uploaded} ms`);
      console.log(`wall time           ${seconds.toFixed(1)} s`);
      console.log(`throughput          ${Math.round(ROWS / seconds)} rows/s`);
      console.log(
        `peak RSS (process)  ${mb(sampler.peak)} (baseline before upload ${mb(baseline)}; peak JS heap used ${mb(sampler.peakHeap)}, Buffers ${mb(sampler.peakBuffers)})`,
      );
      for (const [name, rss] of sampler.peakChildren) console.log(`peak RSS ${name.padEnd(10)} ${mb(rss)}`);
    }
    const pending = await models.Customer.countDocuments({ outbox_pending: true });
    console.log(
      `\ncustomers stored ${await models.Customer.estimatedDocumentCount()}; events recorded ${await models.DomainEvent.estimatedDocumentCount()}; outboxes still pending relay ${pending}`,
    );
  } finally {
    for (const stop of stops) await stop().catch((err: unknown) => console.error('stop failed:', err));
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
