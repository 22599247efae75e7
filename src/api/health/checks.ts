import { temporal } from '@temporalio/proto';
import type { Infrastructure } from '../../infrastructure';

export interface CheckResult {
  ok: boolean;
  error?: string;
  [detail: string]: unknown;
}

const CHECK_TIMEOUT_MS = 3_000;
/** Workers long-poll for about a minute; a poller seen within two is still there. */
const POLLER_FRESH_MS = 120_000;

async function check(run: () => Promise<Record<string, unknown>>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return { ok: true, ...(await Promise.race([run(), timeout])) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A ping alone is answered by a server whose store is broken (mongo-java-server after a
 * StackOverflowError answers every query with "This store is closed"), so the check also
 * writes one small document and reads it back: healthy means the data can be read and written.
 */
export function checkDatabase({ db, databaseKind }: Pick<Infrastructure, 'db' | 'databaseKind'>): Promise<CheckResult> {
  return check(async () => {
    await db.db!.admin().ping();
    const probes = db.db!.collection<{ _id: string; at: Date }>('health_probes');
    const at = new Date();
    // One atomic write-and-read, so concurrent probes never see each other's value.
    const read = await probes.findOneAndUpdate(
      { _id: 'probe' },
      { $set: { at } },
      { upsert: true, returnDocument: 'after' },
    );
    if (read?.at?.getTime() !== at.getTime()) throw new Error('the probe document written was not read back');
    return { kind: databaseKind };
  });
}

export function checkTemporal({ temporal: client }: Pick<Infrastructure, 'temporal'>): Promise<CheckResult> {
  return check(async () => {
    const info = await client.workflowService.getSystemInfo({});
    return { namespace: client.options.namespace, serverVersion: info.serverVersion || undefined };
  });
}

/** Whether any worker polls our task queue: without one, nothing scheduled ever runs. */
export function checkWorker({
  temporal: client,
  taskQueue,
}: Pick<Infrastructure, 'temporal' | 'taskQueue'>): Promise<CheckResult> {
  return check(async () => {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const now = Date.now();
    const fresh = pollers.filter(
      (p) => p.lastAccessTime?.seconds && now - Number(p.lastAccessTime.seconds) * 1000 < POLLER_FRESH_MS,
    );
    if (fresh.length === 0) throw new Error(`no worker is polling task queue ${taskQueue}`);
    return { taskQueue, pollers: fresh.length };
  });
}
