import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../src/config';
import { deploymentSecrets } from './deployment-secrets';
import type { AppContext } from '../../src/context';

export interface WorkerProcessOptions {
  /** The worker's DATA_DIR (mail outbox, channel-secrets key). */
  dataDir: string;
  /** Where the worker's stdout and stderr go, appended across restarts. */
  logFile: string;
  mongoUrl: string;
  mongoDb: string;
  temporalAddress: string;
  taskQueue: string;
  /** More environment, e.g. `WEBHOOK_SIGNING_SECRET`, `DISTRIBUTION_GRACE_PERIOD_SECONDS`. */
  env?: Record<string, string>;
}

/**
 * `src/entry/worker.ts` as a child process, so a test can SIGKILL it where an in-process
 * worker could only be stopped politely, and start it again on the same task queue.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  /** How many times it was started. */
  starts = 0;

  constructor(private readonly options: WorkerProcessOptions) {}

  get running(): boolean {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** How the last process ended (`undefined` while it runs or before any start). */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    const c = this.child;
    if (!c || this.running) return undefined;
    return { code: c.exitCode, signal: c.signalCode };
  }

  start(): void {
    if (this.running) throw new Error('worker process already running');
    const o = this.options;
    const log = fs.openSync(o.logFile, 'a');
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/entry/worker.ts'], {
      cwd: ROOT_DIR,
      env: {
        ...process.env,
        DATA_DIR: o.dataDir,
        MONGO_URL: o.mongoUrl,
        MONGO_DB: o.mongoDb,
        TEMPORAL_ADDRESS: o.temporalAddress,
        TEMPORAL_TASK_QUEUE: o.taskQueue,
        LOG_LEVEL: 'warn',
        ...deploymentSecrets(o.env),
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.starts += 1;
  }

  /**
   * Sends `signal` and waits for the process to end; a no-op when it is not running. A worker
   * asked to stop waits for its activities, which a test's cleanup need not: after `forceAfterMs`
   * it is SIGKILLed.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', forceAfterMs = 10_000): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    const force = signal === 'SIGKILL' ? undefined : setTimeout(() => c.kill('SIGKILL'), forceAfterMs);
    await exited;
    if (force) clearTimeout(force);
  }

  /** The end of its log, for a failure message. */
  logTail(lines = 30): string {
    try {
      return fs.readFileSync(this.options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

/** A worker process on a test context's database and task queue, logging into `dataDir/worker.log`. */
export function workerProcessFor(
  ctx: Pick<AppContext, 'db' | 'taskQueue'>,
  dataDir: string,
  env: Record<string, string> = {},
): WorkerProcess {
  return new WorkerProcess({
    dataDir,
    logFile: path.join(dataDir, 'worker.log'),
    mongoUrl: process.env.TEST_MONGO_URL!,
    mongoDb: ctx.db.name,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue: ctx.taskQueue,
    env,
  });
}
