import { z } from 'zod';
import { metadataInput } from '../../customers/customer-input';
import { toVoucherJson } from '../../campaigns/voucher-json';
import type { PublicationService } from '../../publications/publication-service';
import { customerInput } from '../../customers/customer-input';
import { customerRef } from '../../customers/customer-json';
import { ApiRouter } from '../../http/api-router';

/** Voucherify takes the campaign as a name/id or `{name, count}`, and the customer as an id/source_id or an object. */
const publishBody = z.strictObject({
  campaign: z.union([
    z.string().min(1),
    z.strictObject({ name: z.string().min(1), count: z.literal(1).optional().describe('only 1 is supported') }),
  ]),
  customer: z.union([z.string().min(1), customerInput]),
  source_id: z.string().min(1).max(200).optional().describe('Idempotency key: repeating it returns the same code'),
  channel: z.string().max(100).optional(),
  metadata: metadataInput.optional(),
  /** The SDK sends it in the body; the API documents it as a query parameter. Both work. */
  join_once: z.boolean().optional(),
});

const publicationJson = z
  .object({
    id: z.string(),
    object: z.literal('publication'),
    result: z.literal('SUCCESS'),
    voucher: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown());

export function publicationsRouter({ publications }: { publications: PublicationService }): ApiRouter {
  return new ApiRouter('/v1/publications', 'Publications').route(
    {
      method: 'post',
      path: '/',
      summary:
        'Publish a free code of a campaign to a customer (idempotent by source_id; one code per customer with join_once)',
      body: publishBody,
      query: z.strictObject({ join_once: z.enum(['true', 'false']).optional() }),
      response: publicationJson,
      errors: {
        404: 'No such campaign',
        400: 'Invalid request, or no_voucher_suitable_for_publication for an exhausted STATIC campaign',
      },
    },
    async ({ body, query }) => {
      const { publication, voucher, customer, campaign } = await publications.publish({
        campaign: typeof body.campaign === 'string' ? body.campaign : body.campaign.name,
        customer: body.customer,
        source_id: body.source_id,
        channel: body.channel,
        metadata: body.metadata,
        join_once: body.join_once ?? query.join_once === 'true',
      });
      return {
        id: publication._id,
        object: 'publication' as const,
        created_at: publication.created_at.toISOString(),
        customer_id: customer._id,
        tracking_id: customer.source_id ?? null,
        metadata: publication.metadata,
        channel: publication.channel,
        source_id: publication.source_id ?? null,
        result: 'SUCCESS' as const,
        customer: customerRef(customer),
        voucher: toVoucherJson(voucher, campaign),
        vouchers_id: [voucher._id],
      };
    },
  );
}
