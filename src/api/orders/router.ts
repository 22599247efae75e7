import { z } from 'zod';
import type { Infrastructure } from '../../infrastructure';
import type { OrderService } from '../../orders/order-service';
import { ApiRouter } from '../../http/api-router';
import { orderInput } from '../../orders/order-input';
import { toOrderJson } from '../../orders/order-json';
import { pagingQuery, sortOf } from '../list-query';
import { findPage } from '../../db/find-page';

const idParams = z.strictObject({ id: z.string().min(1).max(200).describe('Order id (ord_…) or source_id') });

const listQuery = z.strictObject({
  ...pagingQuery,
  order: z.enum(['created_at', '-created_at', 'updated_at', '-updated_at']).default('-created_at'),
});

const orderJson = z
  .object({
    id: z.string(),
    source_id: z.string().nullable(),
    status: z.string(),
    customer_id: z.string().nullable(),
    object: z.literal('order'),
  })
  .catchall(z.unknown())
  .meta({ description: 'Order (Voucherify shape)' });

const writeErrors = {
  404: 'No such order, or the named customer does not exist',
  409: 'Concurrent changes, or the source_id belongs to another order',
};

/**
 * Orders in Voucherify's shapes. Writes raise `customer.order.created|updated|paid|canceled|fulfilled`
 * and, once relayed, refresh the customer's `summary.orders` (see src/orders/order-summary.ts).
 */
export function ordersRouter(ctx: Pick<Infrastructure, 'models'> & { orders: OrderService }): ApiRouter {
  const { orders, models } = ctx;
  return new ApiRouter('/v1/orders', 'Orders')
    .route(
      {
        method: 'post',
        path: '/',
        summary: 'Create an order, or update the one with this id / source_id',
        body: orderInput,
        response: orderJson,
        errors: writeErrors,
      },
      async ({ body }) => toOrderJson(await orders.upsert(body)),
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get an order by id or source_id',
        params: idParams,
        response: orderJson,
        errors: { 404: 'No such order' },
      },
      async ({ params }) => toOrderJson(await orders.get(params.id)),
    )
    .route(
      {
        method: 'put',
        path: '/:id',
        summary: 'Update an order (absent fields are kept; metadata merges by key)',
        params: idParams,
        body: orderInput,
        response: orderJson,
        errors: writeErrors,
      },
      async ({ params, body }) => toOrderJson(await orders.update(params.id, body)),
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List orders',
        query: listQuery,
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('orders'),
          orders: z.array(orderJson),
          total: z.number(),
          has_more: z.boolean(),
        }),
      },
      async ({ query }) => {
        const { docs, total, has_more } = await findPage(
          models.Order,
          {},
          { sort: sortOf(query.order), page: query.page, limit: query.limit, projection: { _outbox: 0 } },
        );
        return { object: 'list' as const, data_ref: 'orders' as const, orders: docs.map(toOrderJson), total, has_more };
      },
    );
}
