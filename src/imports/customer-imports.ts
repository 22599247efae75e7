import type { Readable } from 'node:stream';
import {
  CUSTOMER_IMPORT_WORKFLOW,
  customerImportWorkflowId,
  type CustomerImportWorkflow,
} from '../../workflows/contracts/customer-import';
import type { AppContext } from '../context';
import { newId } from '../ids';
import type { AsyncActionDoc, AsyncActionType, UploadFormat } from '../models/async-action';
import { reconcile, startOnce, type WriteThenStart } from '../temporal/reconciler';
import { deleteUpload, newUploadId, storeUpload } from './upload-store';

/** Largest upload accepted (CSV, JSON or NDJSON), unless the context says otherwise: ~1.5 million typical CSV rows. */
export const DEFAULT_IMPORT_MAX_BYTES = 200 * 1024 * 1024;

export interface NewImport {
  type: AsyncActionType;
  format: UploadFormat;
  filename: string;
  source: Readable;
}

/**
 * Accepts an import: stores the upload, records the async action, starts its workflow.
 * Once this resolves the import survives any crash: if the workflow could not be started,
 * the action stays ENQUEUED and `startStalledImports` starts it later.
 */
export async function acceptImport(ctx: AppContext, upload: NewImport): Promise<string> {
  const id = newId('aa');
  const fileId = newUploadId();
  const maxBytes = ctx.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  const bytes = await storeUpload(ctx.db, fileId, upload.source, {
    maxBytes,
    filename: upload.filename,
    asyncActionId: id,
  });
  try {
    await ctx.models.AsyncAction.create({
      _id: id,
      type: upload.type,
      status: 'ENQUEUED',
      upload: { file_id: fileId, format: upload.format, bytes, filename: upload.filename },
    });
  } catch (err) {
    await deleteUpload(ctx.db, fileId).catch(() => undefined);
    throw err;
  }
  try {
    await startImportWorkflow(ctx, id);
  } catch (err) {
    ctx.logger.warn(
      { err, asyncActionId: id },
      'import stored but its workflow did not start; it starts on the next reconcile',
    );
  }
  return id;
}

/** Starts an import's workflow; false when refused (a finished import's id is never run again, whatever asks). */
export function startImportWorkflow(
  ctx: Pick<AppContext, 'temporal' | 'taskQueue'>,
  asyncActionId: string,
): Promise<boolean> {
  return startOnce<CustomerImportWorkflow>(ctx.temporal, CUSTOMER_IMPORT_WORKFLOW, {
    workflowId: customerImportWorkflowId(asyncActionId),
    taskQueue: ctx.taskQueue,
    args: [{ asyncActionId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

/** Starts the workflows of actions a crash (or a Temporal outage) left ENQUEUED for longer than `olderThanMs`. */
export function startStalledImports(
  ctx: Pick<AppContext, 'temporal' | 'taskQueue' | 'models'>,
  olderThanMs = 30_000,
): Promise<number> {
  const imports: WriteThenStart<Pick<AsyncActionDoc, '_id'>> = {
    stuck: (before) =>
      ctx.models.AsyncAction.find({ status: 'ENQUEUED', created_at: { $lt: before } }, { _id: 1 }).lean(),
    start: (action) => startImportWorkflow(ctx, action._id),
  };
  return reconcile(ctx.temporal, imports, olderThanMs);
}
