import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { AppContext } from '../context';

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
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
