import { spawn } from 'node:child_process';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Client, Connection } from '@temporalio/client';
import { encryptingDataConverter } from '../src/codec/data-converter';
import { payloadKeyFrom } from '../src/codec/payload-key';
import { loadConfig, ROOT_DIR } from '../src/config';
import { createContext, type AppContext } from '../src/context';
import { connectDatabase } from '../src/db/connect';
import { freePort } from '../src/embedded/managed-process';
import { startMongoServer } from '../src/embedded/mongo-server';
import { startTemporalDevServer } from '../src/embedded/temporal-dev-server';
import { createLogger } from '../src/logger';

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The p-th percentile of ascending values (nearest rank); NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** A memory figure of a process from /proc (Linux), in bytes; 0 when it cannot be read. */
function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds a process has used (user + system, from /proc; clock ticks are 100/s on Linux).
 * Unlike wall time, this barely moves when other work shares the cores, so it shows which
 * process a change made cheaper.
 */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = fs
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * The JS heap still in use after a full collection: what the process retains, unlike the
 * peak heap, which also counts garbage V8 had not yet collected and grows with the load.
 */
export function retainedHeap(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Resident memory of another process, for the servers started here. */
export const rssOf = (pid: number) => procStatusBytes(pid, 'VmRSS');
/** Peak RSS as the kernel recorded it (VmHWM), for processes sampled too coarsely. */
export const hwmOf = (pid: number) => procStatusBytes(pid, 'VmHWM');

/** Samples this process's memory and the servers' RSS every 100 ms between start and stop, keeping the peaks. */
export class RssSampler {
  peak = 0;
  /** Peaks of the JS heap and of Buffers, which tell retained data from memory V8 has not collected yet. */
  peakHeap = 0;
  peakBuffers = 0;
  peakChildren = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly children: Array<{ name: string; pid: number }>) {}

  start(): void {
    this.peak = 0;
    this.peakHeap = 0;
    this.peakBuffers = 0;
    this.peakChildren.clear();
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  print(): void {
    console.log(`peak RSS bench process        ${mb(this.peak)}`);
    for (const [name, rss] of this.peakChildren) console.log(`peak RSS ${name.padEnd(21)} ${mb(rss)}`);
  }

  private sample(): void {
    const usage = process.memoryUsage();
    this.peak = Math.max(this.peak, usage.rss);
    this.peakHeap = Math.max(this.peakHeap, usage.heapUsed);
    this.peakBuffers = Math.max(this.peakBuffers, usage.arrayBuffers);
    for (const child of this.children)
      this.peakChildren.set(child.name, Math.max(this.peakChildren.get(child.name) ?? 0, rssOf(child.pid)));
  }
}

/** A connection string with one more option, whether or not it names a database or has options already. */
function withUrlOption(url: string, option: string): string {
  if (url.includes('?')) return `${url}&${option}`;
  return url.replace(/^[a-z+]+:\/\//, '').includes('/') ? `${url}?${option}` : `${url}/?${option}`;
}

export interface BenchService {
  ctx: AppContext;
  temporalAddress: string;
  /** Servers started here, for memory sampling. */
  children: Array<{ name: string; pid: number }>;
  /** E.g. `database mongo-java-server, Temporal dev server`. */
  description: string;
  /** Stop functions, newest first once the caller adds its own with unshift; run in order. */
  stops: Array<() => Promise<void>>;
  /** Only the servers: for a run abandoned mid-way, where the connections may hang. */
  serverStops: Array<() => Promise<void>>;
  /** The database's connection string, for worker processes. */
  mongoUrl: string;
}

/**
 * The servers and context a benchmark runs against: the embedded servers (as the test
 * set-up starts them) unless TEMPORAL_ADDRESS / MONGO_URL are set, a fresh database and
 * task queue named after the benchmark.
 */
export async function startBenchService(
  name: string,
  workDir: string,
  options: { monitorCommands?: boolean } = {},
): Promise<BenchService> {
  const config = loadConfig();
  const stops: Array<() => Promise<void>> = [];
  const serverStops: Array<() => Promise<void>> = [];
  const children: Array<{ name: string; pid: number }> = [];
  const [mongo, temporalServer] = await Promise.all([
    config.MONGO_URL
      ? undefined
      : freePort().then((port) =>
          startMongoServer({
            kind: config.EMBEDDED_MONGO,
            heap: config.EMBEDDED_MONGO_HEAP,
            toolsDir: config.TOOLS_DIR,
            port,
            runDir: workDir,
          }),
        ),
    config.TEMPORAL_ADDRESS
      ? undefined
      : freePort().then((port) =>
          startTemporalDevServer({
            toolsDir: config.TOOLS_DIR,
            port,
            namespace: config.TEMPORAL_NAMESPACE,
            runDir: workDir,
          }),
        ),
  ]);
  for (const server of [
    mongo && { name: `database (${mongo.kind})`, process: mongo.process },
    temporalServer && { name: 'Temporal dev server', process: temporalServer.process },
  ]) {
    if (!server) continue;
    stops.push(() => server.process.stop());
    serverStops.push(() => server.process.stop());
    children.push({ name: server.name, pid: server.process.pid });
  }
  const serverUrl = config.MONGO_URL ?? mongo!.url;
  // Command monitoring decodes every reply a second time: only when round trips are counted.
  const mongoUrl = options.monitorCommands ? withUrlOption(serverUrl, 'monitorCommands=true') : serverUrl;
  const temporalAddress = config.TEMPORAL_ADDRESS ?? temporalServer!.address;
  const { db, models } = await connectDatabase(mongoUrl, `bench_${name}_${Date.now()}`);
  stops.unshift(async () => {
    await ctx.events.stop();
    await db.dropDatabase();
    await db.close();
  });
  const connection = await Connection.connect({ address: temporalAddress });
  stops.unshift(() => connection.close());
  const ctx = createContext({
    logger: createLogger('warn'),
    db,
    models,
    // Encrypted like production's payloads, so the figures include the codec; the key dies with workDir unless configured.
    temporal: new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: encryptingDataConverter(
        payloadKeyFrom({ PAYLOAD_ENCRYPTION_KEY: config.PAYLOAD_ENCRYPTION_KEY, DATA_DIR: workDir }),
      ),
    }),
    taskQueue: `bench-${name}-${Date.now()}`,
    databaseKind: mongo?.kind ?? 'external',
    bodyLimit: config.REQUEST_BODY_LIMIT,
  });
  const description = `database ${mongo?.kind ?? 'external'}, Temporal ${temporalServer ? 'dev server' : temporalAddress}`;
  return { ctx, temporalAddress, children, description, stops, serverStops, mongoUrl: serverUrl };
}

/** A worker process started by a bench: its pid is its Temporal identity's prefix (`<pid>@<host>`). */
export interface BenchWorkerProcess {
  pid: number;
  stop(): Promise<void>;
}

/**
 * `src/entry/worker.ts` as its own process on the bench's database and task queue. It refuses to
 * start without the deployment's secrets: it gets this context's, and PAYLOAD_ENCRYPTION_KEY must
 * be set in the environment before startBenchService, so this process's client and the worker
 * encrypt payloads with the same key. Resolves once its worker polls.
 */
export async function startBenchWorkerProcess(
  service: Pick<BenchService, 'ctx' | 'temporalAddress' | 'mongoUrl'>,
  dataDir: string,
): Promise<BenchWorkerProcess> {
  const { ctx } = service;
  if (!process.env.PAYLOAD_ENCRYPTION_KEY)
    throw new Error('set PAYLOAD_ENCRYPTION_KEY before starting a worker process');
  fs.mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/entry/worker.ts'], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      MONGO_URL: service.mongoUrl,
      MONGO_DB: ctx.db.name,
      TEMPORAL_ADDRESS: service.temporalAddress,
      TEMPORAL_TASK_QUEUE: ctx.taskQueue,
      LOG_LEVEL: 'info',
      WEBHOOK_SIGNING_SECRET: ctx.settings.webhookSecret,
      LINK_SIGNING_SECRET: ctx.settings.linkSigningKey,
      CHANNEL_SECRETS_KEY: ctx.settings.channelSecretsKey.toString('hex'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('worker polling task queue')) resolve();
    });
    void exited.then(() => reject(new Error(`worker process ${child.pid} exited before it polled`)));
  });
  child.stdout.resume();
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
