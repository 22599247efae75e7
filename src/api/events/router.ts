import { z } from 'zod';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';
import type { DomainEvent } from '../../models/domain-event';
import { dateRangeFilter, dateRangeQuery, pagingQuery } from '../list-query';
import { findPage } from '../../db/find-page';

const eventJson = z
  .object({
    id: z.string(),
    type: z.string(),
    created_at: z.string(),
    customer_id: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    object: z.literal('event'),
  })
  .catchall(z.unknown());

function toEventJson(e: DomainEvent & { _id: string }) {
  return {
    id: e._id,
    type: e.type,
    created_at: e.created_at.toISOString(),
    customer_id: e.customer_id ?? null,
    source: e.source,
    data: e.data ?? {},
    dispatched_at: e.dispatched_at?.toISOString() ?? null,
    routed_at: e.routed_at?.toISOString() ?? null,
    object: 'event' as const,
  };
}

/** Read-only log of domain events, with where each is in its hand-over to Temporal. */
export function eventsRouter({ models: { DomainEvent } }: Pick<Infrastructure, 'models'>): ApiRouter {
  return new ApiRouter('/v1/events', 'Events')
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List domain events, oldest first',
        query: z.strictObject({
          ...pagingQuery,
          type: z.string().optional(),
          customer_id: z.string().optional(),
          created_at: dateRangeQuery,
        }),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(eventJson),
          total: z.number(),
          has_more: z.boolean(),
        }),
      },
      async ({ query }) => {
        const filter: Record<string, unknown> = {};
        if (query.type) filter.type = query.type;
        if (query.customer_id) filter.customer_id = query.customer_id;
        const created = dateRangeFilter(query.created_at);
        if (created) filter.created_at = created;
        const { docs, total, has_more } = await findPage(DomainEvent, filter, {
          sort: { created_at: 1, _id: 1 },
          page: query.page,
          limit: query.limit,
        });
        return { object: 'list' as const, data_ref: 'data' as const, data: docs.map(toEventJson), total, has_more };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a domain event',
        params: z.strictObject({ id: z.string().min(1).max(100) }),
        response: eventJson,
        errors: { 404: 'No such event' },
      },
      async ({ params }) => {
        const event = await DomainEvent.findById(params.id).lean();
        if (!event) throw AppError.notFound('event', params.id);
        return toEventJson(event);
      },
    );
}
