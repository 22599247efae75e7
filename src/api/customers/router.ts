import { z } from 'zod';
import type { CustomerService } from '../../customers/customer-service';
import type { Infrastructure } from '../../infrastructure';
import { customerInput } from '../../customers/customer-input';
import { toCustomerJson } from '../../customers/customer-json';
import { ApiRouter } from '../../http/api-router';
import { dateRangeFilter, dateRangeQuery, escapeRegExp, pagingQuery, sortOf } from '../list-query';
import { findPage } from '../../db/find-page';

const idParams = z.strictObject({ id: z.string().min(1).max(200).describe('Customer id (cust_…) or source_id') });

const listQuery = z.strictObject({
  ...pagingQuery,
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'Search: customers whose name (or a word of it), email, source_id or phone starts with this text, ignoring case',
    ),
  email: z.string().optional(),
  name: z.string().optional(),
  city: z.string().optional(),
  segment_id: z.string().optional(),
  created_at: dateRangeQuery,
  updated_at: dateRangeQuery,
  order: z
    .enum(['created_at', '-created_at', 'updated_at', '-updated_at', 'source_id', '-source_id'])
    .default('-created_at'),
  /** Date cursor used by the SDK's customers.scroll(): items strictly past it in the chosen order. */
  starting_after: z.iso.datetime({ offset: true }).optional(),
});

const customerJson = z
  .object({ id: z.string(), source_id: z.string().nullable(), object: z.literal('customer') })
  .catchall(z.unknown())
  .meta({
    description:
      'Customer (Voucherify shape); summary.orders, summary.redemptions and loyalty are kept by the service from orders, redemptions and the customer’s cards',
  });

/**
 * Prefix matches of the term, escaped and capped at 100 characters by the schema, so it is
 * matched literally and in linear time. Ignoring case (and a word inside a name) keeps the
 * store from using an index: it scans, which a stored lower-cased search field would avoid.
 */
function searchFilter(term: string): Record<string, unknown>[] {
  const prefix = escapeRegExp(term);
  const starts = { $regex: `^${prefix}`, $options: 'i' };
  return [
    { name: starts },
    { name: { $regex: `\\s${prefix}`, $options: 'i' } },
    { email: starts },
    { source_id: starts },
    { phone: starts },
  ];
}

/** Customers in Voucherify's shapes; writes re-evaluate segments and raise entered/left events. */
export function customersRouter(ctx: Pick<Infrastructure, 'models'> & { customers: CustomerService }): ApiRouter {
  const { customers, models } = ctx;
  return new ApiRouter('/v1/customers', 'Customers')
    .route(
      {
        method: 'post',
        path: '/',
        summary: 'Create a customer, or update the one with this id / source_id',
        body: customerInput,
        response: customerJson,
        errors: { 404: 'An id was given that does not exist', 409: 'The source_id belongs to another customer' },
      },
      async ({ body }) => toCustomerJson(await customers.upsert(body)),
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a customer by id or source_id',
        params: idParams,
        response: customerJson,
        errors: { 404: 'No such customer' },
      },
      async ({ params }) => toCustomerJson(await customers.get(params.id)),
    )
    .route(
      {
        method: 'put',
        path: '/:id',
        summary: 'Update a customer (absent fields are kept; null clears; metadata merges by key)',
        params: idParams,
        body: customerInput,
        response: customerJson,
        errors: { 404: 'No such customer', 409: 'The source_id belongs to another customer' },
      },
      async ({ params, body }) => toCustomerJson(await customers.update(params.id, body)),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        summary: 'Delete a customer',
        params: idParams,
        status: 204,
        errors: { 404: 'No such customer' },
      },
      async ({ params }) => {
        await customers.delete(params.id);
      },
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List customers',
        query: listQuery,
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('customers'),
          customers: z.array(customerJson),
          total: z.number(),
          has_more: z.boolean(),
        }),
      },
      async ({ query }) => {
        const filter: Record<string, unknown> = { deleted_at: { $exists: false } };
        if (query.email) filter.email = query.email;
        if (query.name) filter.name = query.name;
        if (query.city) filter['address.city'] = query.city;
        if (query.segment_id) filter.segments = query.segment_id;
        if (query.q) filter.$or = searchFilter(query.q);
        const created = dateRangeFilter(query.created_at);
        if (created) filter.created_at = created;
        const updated = dateRangeFilter(query.updated_at);
        if (updated) filter.updated_at = updated;
        const sort = sortOf(query.order);
        if (query.starting_after) {
          const field = query.order.replace(/^-/, '');
          filter[field] = {
            ...(filter[field] as object),
            [query.order.startsWith('-') ? '$lt' : '$gt']: new Date(query.starting_after),
          };
        }
        const skip = query.starting_after ? 0 : (query.page - 1) * query.limit;
        const { docs, total, has_more } = await findPage(models.Customer, filter, { sort, skip, limit: query.limit });
        return {
          object: 'list' as const,
          data_ref: 'customers' as const,
          customers: docs.map(toCustomerJson),
          total,
          has_more,
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id/segments',
        summary: "List a customer's segments",
        params: idParams,
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(z.object({ id: z.string(), name: z.string(), object: z.literal('segment') })),
          total: z.number(),
        }),
        errors: { 404: 'No such customer' },
      },
      async ({ params }) => {
        const customer = await customers.get(params.id);
        const segments = customer.segments.length
          ? await models.Segment.find(
              { _id: { $in: customer.segments }, deleted_at: { $exists: false } },
              { name: 1 },
            ).lean()
          : [];
        return {
          object: 'list' as const,
          data_ref: 'data' as const,
          data: segments.map((s) => ({ id: s._id, name: s.name, object: 'segment' as const })),
          total: segments.length,
        };
      },
    );
}
