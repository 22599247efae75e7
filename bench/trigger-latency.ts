/**
 * Trigger latency: an automatic `order_paid` distribution (webhook channel to a local
 * receiver), then orders created as PAID through the HTTP API at a steady rate; for each,
 * the time from the API's answer (the write is accepted) to the receiver getting the message.
 * Prints p50 / p95 / p99 / max and how many arrived. Prints, never asserts.
 *
 *   npx tsx bench/trigger-latency.ts [--rate 50] [--seconds 60] [--warmup 20] [--worker-process] [--profile out.cpuprofile]     # or: npm run bench:latency
 *
 * The measured run follows a warm-up at the same rate (`--warmup` seconds, 0 for none), whose
 * figures are printed apart: they are the cold start of freshly started servers.
 *
 * `--profile <file>` writes a CPU profile of this process (API, and the worker unless it runs apart)
 * over the measured run.
 *
 * `--round-trips` counts this process's database commands per order over the measured run, by
 * command and collection (driver command monitoring, which costs CPU itself).
 *
 * `--worker-process` runs the worker as its own process (src/entry/worker.ts), as a
 * deployment with separate API and worker processes does; otherwise both share this one.
 *
 * MONGO_URL / TEMPORAL_ADDRESS use running servers instead of starting embedded ones.
 */
import './allow-local-receivers';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAppKey } from '../src/auth/app-keys';
import type { AppContext } from '../src/context';
import { ROOT_DIR } from '../src/config';
import { startApi, startWorker } from '../src/runtime';
import { startProfile } from './cpu-profile';
import { cpuSecondsOf, mb, percentile, RssSampler, startBenchService } from './bench-service';
import { startLoadClient, type Sent } from './load-client';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '20' },
    'worker-process': { type: 'boolean', default: false },
    profile: { type: 'string' },
    'round-trips': { type: 'boolean', default: false },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);

/** src/entry/worker.ts on the bench's database and task queue; resolves once it polls. */
async function startWorkerProcess(ctx: AppContext, temporalAddress: string, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/entry/worker.ts'], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      MONGO_URL: `mongodb://${ctx.db.host}:${ctx.db.port}`,
      MONGO_DB: ctx.db.name,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: ctx.taskQueue,
      LOG_LEVEL: 'info',
      // A worker run apart refuses to start without these; they are the API side's own, so both agree.
      WEBHOOK_SIGNING_SECRET: ctx.settings.webhookSecret,
      LINK_SIGNING_SECRET: ctx.settings.linkSigningKey,
      CHANNEL_SECRETS_KEY: ctx.settings.channelSecretsKey.toString('hex'),
      PAYLOAD_ENCRYPTION_KEY: process.env.PAYLOAD_ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('worker polling task queue')) resolve();
    });
    void exited.then(() => reject(new Error('the worker process exited before it polled')));
  });
  child.stdout.resume();
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-latency-'));
  const { ctx, temporalAddress, children, description, stops } = await startBenchService('latency', workDir, {
    monitorCommands: values['round-trips'],
  });
  let commands: Map<string, number> | undefined;
  if (values['round-trips'])
    ctx.db.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      const collection = e.command[e.commandName];
      const key = `${e.commandName}${typeof collection === 'string' ? ` ${collection}` : ''}`;
      commands?.set(key, (commands.get(key) ?? 0) + 1);
    });
  const load = await startLoadClient();
  stops.unshift(() => load.close());
  try {
    if (values['worker-process']) {
      const worker = await startWorkerProcess(ctx, temporalAddress, workDir);
      stops.unshift(() => worker.stop());
      children.push({ name: 'worker process', pid: worker.pid });
    } else {
      const worker = await startWorker(ctx, temporalAddress);
      stops.unshift(() => worker.stop());
    }
    const api = await startApi(ctx, '127.0.0.1', 0);
    stops.unshift(() => api.stop());
    const { appId, appToken } = await createAppKey(ctx.models.AppKey, 'bench', 'write');
    const headers = { 'Content-Type': 'application/json', 'X-App-Id': appId, 'X-App-Token': appToken };
    await ctx.distributions.create({
      name: 'latency',
      trigger: { type: 'order_paid' },
      purpose: { type: 'plain' },
      consents: { verification: false, required: [] },
      channels: [
        { type: 'webhook', settings: { url: load.receiverUrl }, template: { text: 'Order {{order.source_id}} paid' } },
      ],
    });
    console.log(
      `servers: ${description}; worker ${values['worker-process'] ? 'in its own process' : 'in the API process'}; ${RATE} orders/s for ${SECONDS} s`,
    );

    // The services start cold (JIT, caches, connection pools): a first stretch at the same rate is sent
    // and reported apart, so the measured run shows the running service, and the cold start is still seen.
    if (WARMUP > 0) {
      const warm = await load.send({ url: api.url, headers, prefix: 'warm', rate: RATE, seconds: WARMUP });
      const warmLatencies = latenciesOf(warm);
      console.log(
        `warm-up            ${WARMUP} s, ${warm.accepted.length} orders: p50 ${percentile(warmLatencies, 50)} ms, p99 ${percentile(warmLatencies, 99)} ms, max ${percentile(warmLatencies, 100)} ms`,
      );
    }
    const sampler = new RssSampler(children);
    sampler.start();
    const cpuBefore = { self: process.cpuUsage(), children: children.map((c) => cpuSecondsOf(c.pid)) };
    const measuredFrom = new Date();
    const profiler = values.profile ? await startProfile() : undefined;
    commands = values['round-trips'] ? new Map() : undefined;
    const sent = await load.send({ url: api.url, headers, prefix: 'lat', rate: RATE, seconds: SECONDS });
    const counted = commands;
    commands = undefined;
    if (profiler && values.profile) fs.writeFileSync(values.profile, JSON.stringify(await profiler.stop()));
    const { failures, sentFor } = sent;
    const accepted = sent.accepted.length;
    sampler.stop();
    const selfCpu = process.cpuUsage(cpuBefore.self);
    const cpuSpent = [
      {
        name: `this process (API${values['worker-process'] ? '' : ' + worker'} + the bench's client and receiver thread)`,
        seconds: (selfCpu.user + selfCpu.system) / 1e6,
      },
      ...children.map((c, i) => ({ name: c.name, seconds: cpuSecondsOf(c.pid) - (cpuBefore.children[i] ?? 0) })),
    ];

    const latencies = latenciesOf(sent);
    console.log(`\n== trigger latency: order paid → message at the receiver ==`);
    console.log(
      `orders             ${accepted} accepted, ${failures.reduce((a, [, n]) => a + n, 0)} failed${failures.length ? ` (${failures.map(([why, n]) => `${n} ${why}`).join(', ')})` : ''}, in ${(sentFor / 1000).toFixed(1)} s (${(accepted / (sentFor / 1000)).toFixed(1)}/s)`,
    );
    console.log(
      `messages           ${latencies.length} arrived${latencies.length < accepted ? ` (${accepted - latencies.length} missing after 60 s)` : ''}`,
    );
    console.log(
      `latency            p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, p99 ${percentile(latencies, 99)} ms, max ${percentile(latencies, 100)} ms`,
    );
    console.log(`max by 10 s        ${maxBy10s(sent).join(' ')} ms`);
    if (counted) printCommands(counted, sent.accepted.length);
    await printStages(ctx, measuredFrom);
    await printRouterRuns(ctx);
    console.log(`peak RSS this process (API${values['worker-process'] ? '' : ' + worker'}) ${mb(sampler.peak)}`);
    sampler.print();
    // Two cores serve every process here: the total per order says how close 50/s comes to saturating them.
    for (const { name, seconds: cpu } of cpuSpent)
      console.log(
        `CPU ${name}: ${cpu.toFixed(1)} s (${((cpu * 1000) / Math.max(1, accepted)).toFixed(1)} ms per order)`,
      );
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function printCommands(commands: Map<string, number>, orders: number): void {
  const total = [...commands.values()].reduce((a, b) => a + b, 0);
  const top = [...commands]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${(n / orders).toFixed(2)}`)
    .join(', ');
  console.log(`database commands  ${(total / Math.max(1, orders)).toFixed(1)} per order (${top})`);
}

/** Accept → arrival of each order whose message arrived, ascending. */
function latenciesOf({ accepted, arrived }: Sent): number[] {
  const acceptedAt = new Map(accepted);
  return arrived.map(([id, at]) => at - acceptedAt.get(id)!).sort((a, b) => a - b);
}

/** The slowest message of each 10 s of sending: a cold start, a stall or a growing backlog each has its own shape. */
function maxBy10s({ accepted, arrived, started }: Sent): number[] {
  const acceptedAt = new Map(accepted);
  const max: number[] = [];
  for (const [id, got] of arrived) {
    const at = acceptedAt.get(id)!;
    const slot = Math.floor((at - started) / 10_000);
    max[slot] = Math.max(max[slot] ?? 0, got - at);
  }
  return [...max].map((m) => m ?? 0);
}

/** The event routers' runs (one or more per window): how large their histories grew, and whether any continued as new. */
async function printRouterRuns(ctx: AppContext): Promise<void> {
  const runs: Array<{ events: number; continued: boolean }> = [];
  for await (const run of ctx.temporal.workflow.list({
    query: `WorkflowType="eventRouterWorkflow" AND TaskQueue="${ctx.taskQueue}"`,
  })) {
    runs.push({ events: run.historyLength, continued: run.status.name === 'CONTINUED_AS_NEW' });
  }
  const largest = Math.max(0, ...runs.map((r) => r.events));
  console.log(
    `event router runs  ${runs.length}, largest history ${largest} events, ${runs.filter((r) => r.continued).length} continued as new`,
  );
}

/**
 * Where the time went, from the timestamps the pipeline stores: the order write (the paid
 * event's `created_at`), its hand-over to the router (`dispatched_at`), the routing activity
 * queuing the message (its `created_at`; routing delivers inline and marks `routed_at` after)
 * and the provider accepting it.
 */
async function printStages(ctx: AppContext, from: Date): Promise<void> {
  const events = await ctx.models.DomainEvent.find(
    { type: 'customer.order.paid', created_at: { $gte: from } },
    { created_at: 1, dispatched_at: 1 },
  ).lean();
  const messages = new Map(
    (await ctx.models.DistributionMessage.find({}, { run: 1, created_at: 1, sent_at: 1 }).lean()).map((m) => [
      m.run,
      m,
    ]),
  );
  const stages: Record<string, number[]> = { 'write → dispatched': [], 'dispatched → queued': [], 'queued → sent': [] };
  const add = (stage: string, from?: Date | null, to?: Date | null) => {
    if (from && to) stages[stage]!.push(to.getTime() - from.getTime());
  };
  for (const event of events) {
    const message = messages.get(event._id);
    add('write → dispatched', event.created_at, event.dispatched_at);
    add('dispatched → queued', event.dispatched_at, message?.created_at);
    add('queued → sent', message?.created_at, message?.sent_at);
  }
  for (const [stage, values] of Object.entries(stages)) {
    values.sort((a, b) => a - b);
    console.log(`  ${stage.padEnd(20)} p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms`);
  }
  // The order's follow-up (its customer's order summary) is off the message's path: a backlog here is capacity the latency hides.
  const pending = await ctx.models.Order.countDocuments({ outbox_pending: true });
  console.log(
    `orders whose follow-up (order summary) is still to run once the messages arrived: ${pending} of ${await ctx.models.Order.estimatedDocumentCount()}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
