import type { AsyncActionDoc } from '../models/async-action';

/** An async action as Voucherify's API returns it (GET /v1/async-actions/:id). */
export function toAsyncActionJson(doc: AsyncActionDoc) {
  return {
    id: doc._id,
    type: doc.type,
    status: doc.status,
    operation_status: doc.operation_status ?? null,
    progress: doc.progress,
    result: {
      done_count: doc.result.done_count,
      failed_count: doc.result.failed_count,
      errors: doc.result.errors.map(({ row, field, reason }) => ({ row, field, reason })),
      errors_truncated: doc.result.errors_truncated,
      ...(doc.result.message ? { message: doc.result.message } : {}),
    },
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
    object: 'async_action' as const,
  };
}

export type AsyncActionJson = ReturnType<typeof toAsyncActionJson>;
