import { z } from 'zod';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';
import { toAsyncActionJson } from '../../imports/async-action-json';
import { startImportWorkflow } from '../../imports/customer-imports';
import { MAX_STORED_ERRORS } from '../../imports/import-run';
import { ASYNC_ACTION_STATUSES, ASYNC_ACTION_TYPES } from '../../models/async-action';

/** An ENQUEUED action older than this has probably lost its workflow start: polling it starts it again. */
const STALLED_AFTER_MS = 30_000;

const idParams = z.strictObject({ id: z.string().min(1).max(100).describe('Async action id (aa_…)') });

const rowError = z.object({ row: z.number().int(), field: z.string(), reason: z.string() });
const asyncActionJson = z
  .object({
    id: z.string(),
    type: z.enum(ASYNC_ACTION_TYPES),
    status: z.enum(ASYNC_ACTION_STATUSES),
    operation_status: z.enum(['SUCCESS', 'PARTIALLY_SUCCESS', 'FAILED']).nullable(),
    progress: z.number().describe('Percent of the upload processed'),
    result: z.object({
      done_count: z.number().int().describe('Rows that created or updated a customer'),
      failed_count: z.number().int().describe('Rows not imported'),
      errors: z.array(rowError).describe(`Why rows failed, in row order; the first ${MAX_STORED_ERRORS} only`),
      errors_truncated: z.boolean(),
      message: z.string().optional().describe('Summary when DONE; the reason when FAILED'),
    }),
    created_at: z.string(),
    updated_at: z.string(),
    object: z.literal('async_action'),
  })
  .meta({ description: 'Async action (Voucherify shape)' });

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  end_date: z.iso.datetime({ offset: true }).optional().describe('Only actions created before this time'),
});

/** Long-running operations (imports) a client polls, in Voucherify's shape. */
export function asyncActionsRouter(
  ctx: Pick<Infrastructure, 'models' | 'logger' | 'temporal' | 'taskQueue'>,
): ApiRouter {
  const { AsyncAction } = ctx.models;
  return new ApiRouter('/v1/async-actions', 'Async actions')
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get an async action: status, progress and result',
        params: idParams,
        response: asyncActionJson,
        errors: { 404: 'No such async action' },
      },
      async ({ params }) => {
        const doc = await AsyncAction.findById(params.id).lean();
        if (!doc) throw AppError.notFound('async_action', params.id);
        if (doc.status === 'ENQUEUED' && Date.now() - doc.created_at.getTime() > STALLED_AFTER_MS) {
          startImportWorkflow(ctx, doc._id).catch((err: unknown) =>
            ctx.logger.warn({ err, asyncActionId: doc._id }, 'could not start a stalled import'),
          );
        }
        return toAsyncActionJson(doc);
      },
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List async actions, newest first (without their results)',
        query: listQuery,
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('async_actions'),
          async_actions: z.array(asyncActionJson.omit({ result: true })),
        }),
      },
      async ({ query }) => {
        const filter = query.end_date ? { created_at: { $lt: new Date(query.end_date) } } : {};
        const docs = await AsyncAction.find(filter, { 'result.errors': 0 })
          .sort({ created_at: -1, _id: -1 })
          .limit(query.limit)
          .lean();
        return {
          object: 'list' as const,
          data_ref: 'async_actions' as const,
          async_actions: docs.map((doc) => {
            const { result: _result, ...rest } = toAsyncActionJson({ ...doc, result: { ...doc.result, errors: [] } });
            return rest;
          }),
        };
      },
    );
}
