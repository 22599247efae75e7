import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { AppContext } from '../context';
import { activityContextInterceptor } from './activity-context';

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  ctx: AppContext;
}

/** A worker polling the task queue with every workflow and activity of the project. */
export async function createWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: createActivities(options.ctx),
      // The client's converter (src/codec): both read and write histories under one key.
      dataConverter: options.ctx.temporal.options.dataConverter,
      // An automatic delivery holds its workflow task while its local activity sends (workflows/delivery.ts):
      // as many task slots as local activity slots (100 by default), so bursts of triggers are not capped at 40.
      maxConcurrentWorkflowTaskExecutions: 100,
      // A batch learns that its workflow was cancelled or terminated (Temporal UI, CLI) from the answer
      // to a heartbeat: sent at least every 250 ms, it stops within a few groups of sends, not at the
      // default 8 s (0.8 × its 10 s heartbeat timeout), and long before the reconciler looks. At 1 s a
      // terminated batch still sent for about a second (160 webhooks at 50 ms each, session 7).
      maxHeartbeatThrottleInterval: '250 milliseconds',
      // Every activity's log lines carry its workflow's and distribution's ids (src/temporal/activity-context.ts).
      interceptors: { activity: [activityContextInterceptor] },
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
