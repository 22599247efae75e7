import { z } from 'zod';
import type { CustomerService } from '../../customers/customer-service';
import type { Infrastructure } from '../../infrastructure';
import { findPage } from '../../db/find-page';
import { messageJson, toMessageJson } from '../../distributions/distribution-json';
import { ApiRouter } from '../../http/api-router';
import { pagingQuery } from '../list-query';

const idParams = z.strictObject({ id: z.string().min(1).max(200).describe('A customer id or source_id') });

/** `GET /v1/customers/:id/messages`: the distribution messages a customer got, newest first (the console's customer page). */
export function customerMessagesRouter({
  customers,
  models,
}: Pick<Infrastructure, 'models'> & { customers: CustomerService }): ApiRouter {
  return new ApiRouter('/v1/customers', 'Customers').route(
    {
      method: 'get',
      path: '/:id/messages',
      summary: 'Distribution messages to a customer (every distribution, every channel), newest first',
      params: idParams,
      query: z.strictObject(pagingQuery),
      response: z.object({
        object: z.literal('list'),
        data_ref: z.literal('data'),
        data: z.array(messageJson),
        total: z.number(),
        has_more: z.boolean(),
      }),
      errors: { 404: 'No such customer' },
    },
    async ({ params, query }) => {
      const customer = await customers.get(params.id);
      // Served by the (customer_id, created_at) index.
      const { docs, total, has_more } = await findPage(
        models.DistributionMessage,
        { customer_id: customer._id },
        { sort: { created_at: -1, _id: -1 }, page: query.page, limit: query.limit },
      );
      return { object: 'list' as const, data_ref: 'data' as const, data: docs.map(toMessageJson), total, has_more };
    },
  );
}
