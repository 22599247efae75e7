/**
 * Benchmark of a manual distribution, on the project's real code paths with a worker in this
 * process: seeds N customers into one static segment and a STATIC unique-code campaign with
 * N codes, then runs a manual distribution with no grace period over the webhook channel to
 * a local receiver (which answers 200 at once and counts repeated Idempotency-Keys), and
 * prints: total time, messages/s, codes published/s, peak RSS of this process (API + worker)
 * and of the servers, the history size of every run of the distribution's workflow, how long
 * after sending started the first message reached the receiver (and, from the history, when
 * the first snapshot page and the first batch finished), and whether every customer got
 * exactly one message and one code.
 *
 *   npx tsx bench/distribution.ts [--customers 100000] [--skip-baseline] [--round-trips] [--workers 2]     # or: npm run bench -- --customers 2000
 *
 * The baseline (bench/baseline.ts) is the least work in bulk that sends the same messages with
 * the same records, on the same servers without Temporal: this machine's limit for the job. The
 * ratio printed is the distribution's throughput over the baseline's; the CPU per message of both
 * is printed too, since on a shared machine throughput moves with the neighbours' load.
 * --round-trips counts database commands (driver command monitoring, which costs CPU itself);
 * --profile <file> writes a CPU profile of this process (API + worker) while it sends, for
 * Chrome DevTools or speedscope — `node --cpu-prof` would mix in seeding and the baseline.
 * --workers N runs the worker as N processes of its own (src/entry/worker.ts) on the same
 * Temporal and database, none in this process, and prints each one's share of the batches, as
 * Temporal recorded who started each delivery activity (the identity on its start event).
 * Every run checks that each customer got exactly one message and one code.
 *
 * MONGO_URL / TEMPORAL_ADDRESS use running servers instead of starting embedded ones;
 * EMBEDDED_MONGO_HEAP raises the embedded database's heap for large N. Prints, never asserts.
 */
import './allow-local-receivers';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startWorker } from '../src/runtime';
import { distributionWorkflowId } from '../workflows/contracts/distribution';
import { runBaseline } from './baseline';
import {
  cpuSecondsOf,
  mb,
  retainedHeap,
  RssSampler,
  startBenchService,
  startBenchWorkerProcess,
} from './bench-service';
import { startProfile } from './cpu-profile';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    'skip-baseline': { type: 'boolean', default: false },
    'round-trips': { type: 'boolean', default: false },
    profile: { type: 'string' },
    workers: { type: 'string', default: '0' },
  },
});
const CUSTOMERS = Number(values.customers);
/** Worker processes of their own; 0: the worker runs in this process. */
const WORKERS = Number(values.workers);
const SEED_BATCH = 1_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A webhook receiver that accepts everything and counts what it has seen twice. */
async function startReceiver() {
  const seen = new Set<string>();
  let accepted = 0;
  let duplicates = 0;
  let firstAt: number | undefined;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      if (seen.has(key)) duplicates += 1;
      seen.add(key);
      accepted += 1;
      firstAt ??= Date.now();
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    stats: () => ({ accepted, duplicates, firstAt }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Cpu {
  name: string;
  seconds: number;
}

type Children = Array<{ name: string; pid: number }>;

function cpuNow(children: Children): { self: NodeJS.CpuUsage; children: number[] } {
  return { self: process.cpuUsage(), children: children.map((c) => cpuSecondsOf(c.pid)) };
}

function cpuSince(children: Children, before: ReturnType<typeof cpuNow>): Cpu[] {
  const self = process.cpuUsage(before.self);
  return [
    { name: `this process (API${WORKERS > 0 ? '' : ' + worker'})`, seconds: (self.user + self.system) / 1e6 },
    ...children.map((c, i) => ({ name: c.name, seconds: cpuSecondsOf(c.pid) - (before.children[i] ?? 0) })),
  ];
}

function printCpu(cpu: Cpu[], sent: number): void {
  for (const { name, seconds: s } of cpu)
    console.log(`CPU, ${name}: ${s.toFixed(1)} s (${((s * 1000) / Math.max(1, sent)).toFixed(2)} ms per message)`);
}

function printCommands(commands: Map<string, number>, batches: number): void {
  const total = [...commands.values()].reduce((a, b) => a + b, 0);
  const top = [...commands]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${(n / batches).toFixed(1)}`)
    .join(', ');
  console.log(`database commands  ${total} (${(total / batches).toFixed(1)} per batch of 200: ${top})`);
}

/**
 * What a workflow's histories tell, over all its runs: who did its work (the identity,
 * `<pid>@<host>`, on each delivery activity's start event and on each workflow task's), and
 * when the first snapshot activity and the first delivery moved (epoch ms), which shows where
 * the time to the first message goes.
 */
async function historyFigures(ctx: BenchContext, workflowId: string) {
  const batches = new Map<string, number>();
  const workflowTasks = new Map<string, number>();
  const first = new Map<string, number>();
  const add = (m: Map<string, number>, who: string) => m.set(who, (m.get(who) ?? 0) + 1);
  const runs = [];
  for await (const run of ctx.temporal.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs.push(run);
  // Listed newest first; the first batch is in the first run.
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  for (const run of runs) {
    const { events } = await ctx.temporal.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const activityTypes = new Map<string, string>();
    for (const e of events ?? []) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
      const scheduled = e.activityTaskScheduledEventAttributes;
      const type = (scheduledId: unknown) => activityTypes.get(String(scheduledId)) ?? '';
      if (scheduled) {
        activityTypes.set(String(e.eventId), scheduled.activityType?.name ?? '');
        if (!first.has(`${scheduled.activityType?.name} scheduled`))
          first.set(`${scheduled.activityType?.name} scheduled`, at);
      }
      const started = e.activityTaskStartedEventAttributes;
      if (started && type(started.scheduledEventId) === 'deliverBatch') add(batches, started.identity ?? '?');
      const completed = e.activityTaskCompletedEventAttributes;
      if (completed && !first.has(`${type(completed.scheduledEventId)} completed`))
        first.set(`${type(completed.scheduledEventId)} completed`, at);
      if (e.workflowTaskStartedEventAttributes)
        add(workflowTasks, e.workflowTaskStartedEventAttributes.identity ?? '?');
    }
  }
  return { batches, workflowTasks, first };
}

type BenchContext = Awaited<ReturnType<typeof startBenchService>>['ctx'];

/** Every customer of the segment got exactly one `sent` message and one code, and no code went to two. */
async function checkExactlyOnce(ctx: BenchContext, distributionId: string, campaignId: string, customers: number) {
  const { DistributionMessage, Publication } = ctx.models;
  const [records, sentTo, publications, codedCustomers, codes] = await Promise.all([
    DistributionMessage.countDocuments({ distribution_id: distributionId }),
    DistributionMessage.distinct('customer_id', { distribution_id: distributionId, status: 'sent' }),
    Publication.countDocuments({ campaign_id: campaignId }),
    Publication.distinct('customer_id', { campaign_id: campaignId }),
    Publication.distinct('voucher_id', { campaign_id: campaignId, voucher_id: { $exists: true } }),
  ]);
  const exact =
    records === customers &&
    sentTo.length === customers &&
    publications === customers &&
    codedCustomers.length === customers &&
    codes.length === customers;
  console.log(
    `exactly once       ${exact ? 'yes' : 'NO'}: ${records} message records, ${sentTo.length} customers sent to, ${publications} publications to ${codedCustomers.length} customers, ${codes.length} distinct codes (of ${customers} customers)`,
  );
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-distribution-'));
  // Worker processes and this process's client must encrypt payloads with one key.
  if (WORKERS > 0) process.env.PAYLOAD_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
  const service = await startBenchService('distribution', workDir, { monitorCommands: values['round-trips'] });
  const { ctx, temporalAddress, children, description, stops } = service;
  const commands = new Map<string, number>();
  if (values['round-trips'])
    ctx.db
      .getClient()
      .on(
        'commandStarted',
        (e: { commandName: string }) => void commands.set(e.commandName, (commands.get(e.commandName) ?? 0) + 1),
      );
  const receiver = await startReceiver();
  stops.unshift(() => receiver.close());
  try {
    const workerNames = new Map<string, string>();
    if (WORKERS > 0) {
      const started = await Promise.all(
        Array.from({ length: WORKERS }, (_, i) =>
          startBenchWorkerProcess(service, path.join(workDir, `worker-${i + 1}`)),
        ),
      );
      started.forEach((w, i) => {
        stops.unshift(() => w.stop());
        children.push({ name: `worker process ${i + 1}`, pid: w.pid });
        workerNames.set(String(w.pid), `worker process ${i + 1}`);
      });
    } else {
      const worker = await startWorker(ctx, temporalAddress);
      stops.unshift(() => worker.stop());
    }
    console.log(
      `servers: ${description}; customers: ${CUSTOMERS}; worker ${WORKERS > 0 ? `in ${WORKERS} processes of its own` : 'in this process'}`,
    );

    let started = Date.now();
    const segmentId = `seg_bench_${Date.now()}`;
    for (let i = 0; i < CUSTOMERS; i += SEED_BATCH) {
      const now = new Date();
      const docs = Array.from({ length: Math.min(SEED_BATCH, CUSTOMERS - i) }, (_, k) => {
        const n = String(i + k).padStart(7, '0');
        return {
          _id: `cust_bench_${n}`,
          source_id: `bench-${n}`,
          source_id_key: `bench-${n}`,
          name: `Customer ${n}`,
          email: `c${n}@example.com`,
          segments: [segmentId],
          metadata: {},
          created_at: now,
          updated_at: now,
        };
      });
      await ctx.models.Customer.insertMany(docs, { lean: true });
    }
    await ctx.models.Segment.create({
      _id: segmentId,
      name: `Bench ${segmentId}`,
      type: 'static',
      customers: [],
      sync_status: 'synced',
      size: CUSTOMERS,
      synced_at: new Date(),
    });
    console.log(`seeded customers   ${seconds(Date.now() - started)}`);

    started = Date.now();
    // Two pools: one for the distribution, one for the baseline run over the same customers.
    const pool = async (name: string) => {
      const created = await ctx.campaigns.create({
        name: `${name}-${Date.now()}`,
        type: 'STATIC',
        vouchers_count: CUSTOMERS,
        join_once: false,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      });
      for (;;) {
        const c = await ctx.models.Campaign.findById(created._id, { vouchers_generation_status: 1 }).lean();
        if (c?.vouchers_generation_status !== 'IN_PROGRESS') return created;
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    const campaign = await pool('bench-dist');
    const baselineCampaign = values['skip-baseline'] ? undefined : await pool('bench-baseline');
    console.log(`generated codes    ${seconds(Date.now() - started)} (${baselineCampaign ? 2 : 1} × ${CUSTOMERS})`);

    const sampler = new RssSampler(children);
    const heapBefore = retainedHeap();
    let heapHalfway: number | undefined;
    sampler.start();
    commands.clear();
    const profiler = values.profile ? await startProfile() : undefined;
    const cpuBefore = cpuNow(children);
    started = Date.now();
    const distribution = await ctx.distributions.create({
      name: 'bench',
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: campaign._id },
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: false, required: [] },
      channels: [
        {
          type: 'webhook',
          settings: { url: receiver.url },
          template: { text: 'Hi {{customer.name}}, your code is {{voucher.code}}' },
        },
      ],
      grace_period_seconds: 0,
    });
    let last = Date.now();
    for (;;) {
      const d = await ctx.models.Distribution.findById(distribution._id).lean();
      if (d && ['completed', 'stopped', 'cancelled'].includes(d.status)) break;
      // Once, half-way: a full collection pauses the process for a moment, so not on every poll.
      if (heapHalfway === undefined && receiver.stats().accepted >= CUSTOMERS / 2) heapHalfway = retainedHeap();
      if (Date.now() - last > 15_000) {
        last = Date.now();
        console.log(`  … ${receiver.stats().accepted} messages after ${seconds(last - started)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const total = Date.now() - started;
    sampler.stop();
    const cpuSpent = cpuSince(children, cpuBefore);
    if (profiler && values.profile) fs.writeFileSync(values.profile, JSON.stringify(await profiler.stop()));
    const commandsSent = new Map(commands);

    const final = (await ctx.models.Distribution.findById(distribution._id).lean())!;
    const sent = await ctx.models.DistributionMessage.countDocuments({
      distribution_id: distribution._id,
      status: 'sent',
    });
    const published = await ctx.models.Publication.countDocuments({ campaign_id: campaign._id });
    const sending =
      final.started_at && final.completed_at ? final.completed_at.getTime() - final.started_at.getTime() : total;
    const { accepted, duplicates, firstAt } = receiver.stats();
    console.log(`\n== manual distribution to ${CUSTOMERS} customers (webhook, one code each) ==`);
    console.log(`status             ${final.status}${final.status_reason ? ` (${final.status_reason})` : ''}`);
    console.log(`total time         ${seconds(total)} (create → completed); sending ${seconds(sending)}`);
    const sendingStarted = final.started_at?.getTime();
    console.log(
      `first message after ${firstAt === undefined ? '-' : seconds(firstAt - started)} (create → receiver)${firstAt !== undefined && sendingStarted ? `, ${seconds(firstAt - sendingStarted)} after sending started` : ''}`,
    );
    console.log(`messages           ${sent} sent, receiver accepted ${accepted} (${duplicates} repeated keys)`);
    console.log(
      `throughput         ${(sent / (total / 1000)).toFixed(1)} messages/s, ${(published / (total / 1000)).toFixed(1)} codes published/s`,
    );
    console.log(
      `peak RSS this process (API${WORKERS > 0 ? '' : ' + worker'}) ${mb(sampler.peak)}; JS heap ${mb(sampler.peakHeap)}`,
    );
    console.log(
      `JS heap after a full GC: before sending ${mb(heapBefore)}, half-way ${heapHalfway === undefined ? '-' : mb(heapHalfway)}, at the end ${mb(retainedHeap())}`,
    );
    sampler.print();
    for (const [name, rss] of sampler.peakChildren)
      if (name.startsWith('database'))
        console.log(`${name} RSS per 100,000 customers ${mb((rss * 100_000) / CUSTOMERS)}`);
    printCpu(cpuSpent, sent);
    const batches = Math.ceil(CUSTOMERS / 200);
    if (values['round-trips']) printCommands(commandsSent, batches);
    let runs = 0;
    for await (const run of ctx.temporal.workflow.list({
      query: `WorkflowId="${distributionWorkflowId(distribution._id)}"`,
    })) {
      runs += 1;
      console.log(
        `workflow run ${run.runId.slice(0, 8)}  history ${run.historyLength} events, ${mb(run.historySize ?? 0)}`,
      );
    }
    console.log(`workflow runs      ${runs}`);
    await checkExactlyOnce(ctx, distribution._id, campaign._id, CUSTOMERS);
    const work = await historyFigures(ctx, distributionWorkflowId(distribution._id));
    if (sendingStarted) {
      const since = (key: string) => {
        const at = work.first.get(key);
        return at === undefined ? '-' : seconds(at - sendingStarted);
      };
      const snapshot = work.first.has('snapshotAudiencePages scheduled') ? 'snapshotAudiencePages' : 'snapshotAudience';
      console.log(
        `first batch        after sending started: snapshot page written ${since(`${snapshot} completed`)}, delivery scheduled ${since('deliverBatch scheduled')}, delivered ${since('deliverBatch completed')}`,
      );
    }
    if (WORKERS > 0) {
      const name = (identity: string) => workerNames.get(identity.split('@')[0] ?? '') ?? identity;
      const totalBatches = [...work.batches.values()].reduce((a, b) => a + b, 0);
      for (const [identity, n] of work.batches)
        console.log(
          `share, ${name(identity)}: ${n} of ${totalBatches} batches (${((100 * n) / Math.max(1, totalBatches)).toFixed(1)} %), ${work.workflowTasks.get(identity) ?? 0} workflow tasks`,
        );
      console.log(
        'scaling            on 2 cores the total does not grow: the database and Temporal share the cores with the workers. ' +
          'More cores help once each worker process has its own core, the database (the most CPU per message) has its own, ' +
          'and BATCHES_IN_FLIGHT (workflows/distribution-activities.ts, 4 per distribution) is raised so that every worker gets batches: ' +
          'one distribution never runs more than that many at once.',
      );
    }

    if (!baselineCampaign) return;
    const customerIds = (await ctx.models.Customer.find({ segments: segmentId }, { _id: 1 }).lean()).map((c) => c._id);
    commands.clear();
    const baselineCpuBefore = cpuNow(children);
    const baseline = await runBaseline(ctx, { customerIds, campaignId: baselineCampaign._id, url: receiver.url });
    const baselineCpu = cpuSince(children, baselineCpuBefore);
    const ours = sent / (total / 1000);
    const theirs = baseline.sent / (baseline.ms / 1000);
    console.log(
      `\n== baseline: the same messages in bulk (batches of 200, 4 in flight, native driver, no Temporal) ==`,
    );
    console.log(
      `baseline           ${baseline.sent} sent in ${seconds(baseline.ms)}: ${theirs.toFixed(1)} messages/s (${baseline.unclaimed} without a code, ${baseline.refused} refused)`,
    );
    printCpu(baselineCpu, baseline.sent);
    if (values['round-trips']) printCommands(commands, batches);
    // The engine's own processes: this one, and the worker processes when it has none.
    const perMessage = (cpu: Cpu[], n: number) =>
      cpu.filter((c, i) => i === 0 || c.name.startsWith('worker process')).reduce((t, c) => t + c.seconds, 0) /
      Math.max(1, n);
    console.log(`ratio              ${(ours / theirs).toFixed(2)} (distribution throughput / baseline throughput)`);
    console.log(
      `CPU ratio          ${(perMessage(cpuSpent, sent) / perMessage(baselineCpu, baseline.sent)).toFixed(2)} (API + worker CPU per message / baseline's)`,
    );
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
