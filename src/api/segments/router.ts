import { z } from 'zod';
import { boundedRecord } from '../../metadata/metadata-bounds';
import type { Infrastructure } from '../../infrastructure';
import type { SegmentService } from '../../segments/segment-service';
import { ApiRouter } from '../../http/api-router';
import type { SegmentDoc } from '../../models/segment';
import { metadataInput } from '../../customers/customer-input';
import { pagingQuery } from '../list-query';
import { findPage } from '../../db/find-page';

const idParams = z.strictObject({ id: z.string().min(1).max(100) });

/** A count reads customers one by one through the filter: bounded, so one request cannot hold the API for long. */
const MAX_COUNT_SCAN = 100_000;

/** The SDK types say `junction: 'AND'|'OR'`, the spec lowercase: both are accepted (the filter validator checks the rest). */
const filterInput = boundedRecord(z.string(), 'filter').describe(
  "Voucherify's segment filter: a junction plus field paths with conditions",
);

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  type: z.enum(['static', 'auto-update', 'passive']),
  customers: z.array(z.string().min(1).max(200)).max(20_000).optional().describe('static: customer ids or source_ids'),
  filter: filterInput.optional(),
  metadata: metadataInput.optional(),
});

const updateBody = createBody.omit({ type: true }).partial();

const segmentJson = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    object: z.literal('segment'),
    initial_sync_status: z.enum(['IN_PROGRESS', 'DONE']),
    sync_status: z.enum(['syncing', 'synced']),
    size: z.number(),
  })
  .catchall(z.unknown());

export function toSegmentJson(s: SegmentDoc) {
  return {
    id: s._id,
    name: s.name,
    type: s.type,
    filter: s.filter ?? null,
    ...(s.type === 'static' ? { customers_count: s.customers?.length ?? 0 } : {}),
    metadata: s.metadata ?? null,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at?.toISOString() ?? null,
    object: 'segment' as const,
    initial_sync_status: s.synced_at ? ('DONE' as const) : ('IN_PROGRESS' as const),
    sync_status: s.sync_status,
    /** Members at the end of the last sync. */
    size: s.size,
  };
}

/** Segments: create/edit/delete start a sync workflow; `sync_status` shows its progress. */
export function segmentsRouter({
  segments,
  models,
}: Pick<Infrastructure, 'models'> & { segments: SegmentService }): ApiRouter {
  return new ApiRouter('/v1/segments', 'Segments')
    .route(
      {
        method: 'post',
        path: '/',
        summary: 'Create a segment (static list, or auto-update / passive filter)',
        body: createBody,
        response: segmentJson,
      },
      async ({ body }) => toSegmentJson(await segments.create(body)),
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a segment',
        params: idParams,
        response: segmentJson,
        errors: { 404: 'No such segment' },
      },
      async ({ params }) => toSegmentJson(await segments.get(params.id)),
    )
    .route(
      {
        method: 'put',
        path: '/:id',
        summary: 'Edit a segment; its membership is re-synced',
        params: idParams,
        body: updateBody,
        response: segmentJson,
        errors: { 404: 'No such segment' },
      },
      async ({ params, body }) => toSegmentJson(await segments.update(params.id, body)),
    )
    .route(
      {
        method: 'post',
        path: '/count',
        summary: 'Count the customers a filter matches now, without saving a segment (reads at most `limit` customers)',
        body: z.strictObject({
          filter: filterInput,
          limit: z.number().int().min(1).max(MAX_COUNT_SCAN).default(MAX_COUNT_SCAN),
        }),
        response: z.object({
          matching: z.number(),
          scanned: z.number(),
          complete: z.boolean().describe('false: more customers exist than were read, so matching is a lower bound'),
        }),
      },
      ({ body }) => segments.countMatching(body.filter, body.limit),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        summary: 'Delete a segment',
        params: idParams,
        status: 204,
        errors: { 404: 'No such segment' },
      },
      async ({ params }) => {
        await segments.delete(params.id);
      },
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List segments',
        query: z.strictObject(pagingQuery),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(segmentJson),
          total: z.number(),
        }),
      },
      async ({ query }) => {
        const filter = { deleted_at: { $exists: false } };
        const { docs, total } = await findPage(models.Segment, filter, {
          sort: { created_at: -1, _id: -1 },
          page: query.page,
          limit: query.limit,
        });
        return { object: 'list' as const, data_ref: 'data' as const, data: docs.map(toSegmentJson), total };
      },
    );
}
