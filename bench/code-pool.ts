/**
 * Benchmark of the code pool, on the project's real code paths with a real worker in this process:
 *   1. publications: a STATIC campaign of BENCH_PUB_CODES codes, then BENCH_PUBS sequential
 *      ctx.publications.publish() calls and BENCH_PUBS_CONCURRENT more with BENCH_CONCURRENCY in flight
 *      (distinct customers), then a check (printed, never asserted) that every code handed out is
 *      distinct and that the holder count equals the number of publications;
 *   2. generation: ctx.campaigns.create() with vouchers_count = BENCH_CODES and the default code_config,
 *      polled until vouchers_generation_status is DONE (the Temporal activity → addVouchers).
 * Publications run first, so their claim queries are not made to scan the big generated pool too
 * (the embedded mongo-java-server ignores non-unique indexes: every such query scans the collection).
 *
 *   npx tsx bench/code-pool.ts
 *
 * Optional environment: BENCH_CODES=1000000 BENCH_PUB_CODES=25000 BENCH_PUBS=10000
 * BENCH_PUBS_CONCURRENT (default BENCH_PUBS) BENCH_CONCURRENCY=50; BENCH_PUB_TIMEOUT_S=0 and
 * BENCH_GEN_TIMEOUT_S=0 (if > 0, each publication phase / the generation stops after that many
 * seconds and reports what it got through; a generation cut short on embedded servers is left
 * unfinished and the servers are stopped under it, on external ones its campaign is deleted,
 * which addVouchers notices after its current batch);
 * BENCH_SKIP_GEN=1 / BENCH_SKIP_PUBS=1; MONGO_URL / TEMPORAL_ADDRESS to use running servers
 * instead of starting embedded ones; TOOLS_DIR as for the app.
 *
 * Prints figures and never asserts. Peak RSS is this process (service + worker); the database and
 * Temporal servers are separate processes, reported on their own when started here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../src/context';
import { startWorker } from '../src/runtime';
import { hwmOf, mb, percentile, RssSampler, startBenchService } from './bench-service';

const CODES = Number(process.env.BENCH_CODES ?? 1_000_000);
const PUB_CODES = Number(process.env.BENCH_PUB_CODES ?? 25_000);
const PUBS = Number(process.env.BENCH_PUBS ?? 10_000);
const PUBS_CONCURRENT = Number(process.env.BENCH_PUBS_CONCURRENT ?? PUBS);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const PUB_TIMEOUT_MS = Number(process.env.BENCH_PUB_TIMEOUT_S ?? 0) * 1000;
const GEN_TIMEOUT_MS = Number(process.env.BENCH_GEN_TIMEOUT_S ?? 0) * 1000;
const SKIP_GEN = process.env.BENCH_SKIP_GEN === '1';
const SKIP_PUBS = process.env.BENCH_SKIP_PUBS === '1';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a campaign until its generation ends (or the phase deadline passes); returns the last state. */
async function waitForGeneration(ctx: AppContext, campaignId: string, deadline: number, progress = false) {
  let lastPrint = Date.now();
  for (;;) {
    const c = await ctx.models.Campaign.findById(campaignId).lean();
    if (c?.vouchers_generation_status !== 'IN_PROGRESS')
      return {
        status: c?.vouchers_generation_status ?? 'MISSING',
        generated: c?.generated_count ?? 0,
        timedOut: false,
      };
    if (progress && Date.now() - lastPrint > 15_000) {
      console.log(`  … ${c.generated_count} generated`);
      lastPrint = Date.now();
    }
    if (Date.now() > deadline)
      return { status: c.vouchers_generation_status, generated: c.generated_count ?? 0, timedOut: true };
    await sleep(250);
  }
}

interface PubResult {
  ms: number[];
  ok: number;
  failed: number;
  errors: Map<string, number>;
  codes: string[];
  issued: number;
  seconds: number;
}

async function publishMany(
  ctx: AppContext,
  campaignId: string,
  prefix: string,
  count: number,
  concurrency: number,
  deadline: number,
): Promise<PubResult> {
  const result: PubResult = { ms: [], ok: 0, failed: 0, errors: new Map(), codes: [], issued: 0, seconds: 0 };
  let next = 0;
  const started = Date.now();
  const lane = async () => {
    while (next < count && Date.now() <= deadline) {
      const i = next++;
      result.issued++;
      const t0 = performance.now();
      try {
        const { voucher } = await ctx.publications.publish({
          campaign: campaignId,
          customer: { source_id: `${prefix}-${i}` },
        });
        result.ms.push(performance.now() - t0);
        result.codes.push(voucher.code);
        result.ok++;
      } catch (err) {
        result.failed++;
        const key = (err as { key?: string; message?: string }).key ?? (err as Error).message ?? String(err);
        result.errors.set(key, (result.errors.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  result.seconds = (Date.now() - started) / 1000;
  result.ms.sort((a, b) => a - b);
  return result;
}

function printPubs(label: string, r: PubResult, wanted: number): void {
  console.log(`\n== ${label} ==`);
  console.log(
    `publications        ${r.ok} ok, ${r.failed} failed, of ${wanted} wanted${r.issued < wanted ? ` (phase timeout: only ${r.issued} issued)` : ''}`,
  );
  if (r.errors.size) console.log(`errors              ${[...r.errors].map(([k, n]) => `${k} ×${n}`).join('; ')}`);
  console.log(`wall time           ${r.seconds.toFixed(1)} s`);
  console.log(`throughput          ${(r.ok / r.seconds).toFixed(1)} publications/s`);
  console.log(
    `latency             p50 ${percentile(r.ms, 50).toFixed(1)} ms, p95 ${percentile(r.ms, 95).toFixed(1)} ms, max ${percentile(r.ms, 100).toFixed(1)} ms`,
  );
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-code-pool-'));
  let abandon = false;
  const { ctx, temporalAddress, children, description, stops, serverStops } = await startBenchService(
    'code_pool',
    workDir,
  );
  const { models } = ctx;
  try {
    const worker = await startWorker(ctx, temporalAddress);
    stops.unshift(() => worker.stop());
    console.log(`servers: ${description}`);
    console.log(
      `sizes: BENCH_CODES=${CODES} BENCH_PUB_CODES=${PUB_CODES} BENCH_PUBS=${PUBS} BENCH_PUBS_CONCURRENT=${PUBS_CONCURRENT} BENCH_CONCURRENCY=${CONCURRENCY}${PUB_TIMEOUT_MS ? ` BENCH_PUB_TIMEOUT_S=${PUB_TIMEOUT_MS / 1000}` : ''}${GEN_TIMEOUT_MS ? ` BENCH_GEN_TIMEOUT_S=${GEN_TIMEOUT_MS / 1000}` : ''}`,
    );
    const deadlineFrom = (start: number, timeout: number) => (timeout > 0 ? start + timeout : Infinity);
    const sampler = new RssSampler(children);

    if (!SKIP_PUBS) {
      // A STATIC campaign: an exhausted pool shows as an error instead of silently growing.
      let started = Date.now();
      const pubCampaign = await ctx.campaigns.create({
        name: `bench-pubs-${Date.now()}`,
        type: 'STATIC',
        vouchers_count: PUB_CODES,
        join_once: false,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      });
      const gen = await waitForGeneration(ctx, pubCampaign._id, Infinity);
      console.log(
        `\npublication pool: ${gen.generated} codes, ${gen.status}, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );

      sampler.start();
      const seq = await publishMany(ctx, pubCampaign._id, 'seq', PUBS, 1, deadlineFrom(Date.now(), PUB_TIMEOUT_MS));
      printPubs('sequential publications', seq, PUBS);
      const con = await publishMany(
        ctx,
        pubCampaign._id,
        'con',
        PUBS_CONCURRENT,
        CONCURRENCY,
        deadlineFrom(Date.now(), PUB_TIMEOUT_MS),
      );
      printPubs(`concurrent publications (${CONCURRENCY} in flight)`, con, PUBS_CONCURRENT);
      sampler.stop();
      sampler.print();

      started = Date.now();
      const handed = [...seq.codes, ...con.codes];
      const distinctHanded = new Set(handed).size;
      const holders = await models.Voucher.countDocuments({
        campaign_id: pubCampaign._id,
        holder_id: { $exists: true },
      });
      const published = await models.Publication.countDocuments({
        campaign_id: pubCampaign._id,
        voucher_id: { $exists: true },
      });
      const pubVoucherIds = (await models.Publication.find({ campaign_id: pubCampaign._id }, { voucher_id: 1 }).lean())
        .map((p) => p.voucher_id)
        .filter(Boolean);
      const okCount = seq.ok + con.ok;
      console.log(`\n== check (printed, not asserted) ==`);
      console.log(
        `codes handed out    ${handed.length}, distinct ${distinctHanded}${distinctHanded === handed.length ? ' (all distinct)' : ` (${handed.length - distinctHanded} DUPLICATES)`}`,
      );
      console.log(
        `holders in pool     ${holders}; successful publications ${okCount}; publications with a code ${published}${holders === okCount && published === okCount ? ' (all equal)' : ' (MISMATCH)'}`,
      );
      console.log(`publication→voucher ${pubVoucherIds.length} ids, distinct ${new Set(pubVoucherIds).size}`);
      console.log(`(check took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }

    if (!SKIP_GEN) {
      global.gc?.();
      sampler.start();
      const started = Date.now();
      const campaign = await ctx.campaigns.create({
        name: `bench-gen-${Date.now()}`,
        type: 'AUTO_UPDATE',
        vouchers_count: CODES,
        join_once: false,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } },
      });
      const created = Date.now();
      const gen = await waitForGeneration(ctx, campaign._id, deadlineFrom(started, GEN_TIMEOUT_MS), true);
      const finished = Date.now();
      sampler.stop();
      const seconds = (finished - started) / 1000;
      console.log(
        `\n== generation of ${CODES} codes (default code_config: ${JSON.stringify(campaign.voucher.code_config)}) ==`,
      );
      console.log(
        `status              ${gen.status}${gen.timedOut ? ' (BENCH_GEN_TIMEOUT_S reached: cut short, rate is over the codes generated so far)' : ''}; generated ${gen.generated}`,
      );
      console.log(`create call         ${created - started} ms`);
      console.log(`wall time           ${seconds.toFixed(1)} s`);
      console.log(`throughput          ${Math.round(gen.generated / seconds)} codes/s`);
      sampler.print();
      if (gen.timedOut && serverStops.length > 0) {
        // The activity would run on (and the worker's stop wait for it): stop the servers under it instead.
        abandon = true;
      } else if (gen.timedOut) {
        await models.Campaign.deleteOne({ _id: campaign._id });
      } else {
        const started2 = Date.now();
        const stored = await models.Voucher.countDocuments({ campaign_id: campaign._id });
        console.log(`codes stored        ${stored} (count took ${((Date.now() - started2) / 1000).toFixed(1)} s)`);
      }
    }
    for (const child of children) console.log(`kernel peak (VmHWM) ${child.name}: ${mb(hwmOf(child.pid))}`);
    const self = hwmOf(process.pid);
    if (self) console.log(`kernel peak (VmHWM) bench process: ${mb(self)}`);
  } finally {
    for (const stop of abandon ? serverStops : stops)
      await stop().catch((err: unknown) => console.error('stop failed:', err));
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
