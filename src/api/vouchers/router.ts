import { z } from 'zod';
import type { VoucherService } from '../../vouchers/voucher-service';
import { ApiRouter } from '../../http/api-router';
import { pagingQuery } from '../list-query';

const codeParams = z.strictObject({ code: z.string().min(1).max(200).describe('Voucher code or id (v_…)') });
const voucherJson = z.object({ id: z.string(), code: z.string(), object: z.literal('voucher') }).catchall(z.unknown());
const listQuery = z.strictObject({
  ...pagingQuery,
  campaign: z.string().min(1).max(200).optional().describe('Campaign name or id'),
  campaign_id: z.string().min(1).max(200).optional(),
  customer: z.string().min(1).max(200).optional().describe("Holder's customer id (cust_…) or source_id"),
});

/** Codes of unique-code campaigns: read, list, enable, disable. */
export function vouchersRouter({ vouchers }: { vouchers: VoucherService }): ApiRouter {
  return new ApiRouter('/v1/vouchers', 'Vouchers')
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List vouchers',
        query: listQuery,
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('vouchers'),
          vouchers: z.array(voucherJson),
          total: z.number(),
        }),
        errors: { 404: 'No such campaign' },
      },
      async ({ query }) => vouchers.list(query),
    )
    .route(
      {
        method: 'get',
        path: '/:code',
        summary: 'Get a voucher by code or id',
        params: codeParams,
        response: voucherJson,
        errors: { 404: 'No such voucher' },
      },
      async ({ params }) => vouchers.get(params.code),
    )
    .route(
      {
        method: 'post',
        path: '/:code/enable',
        summary: 'Enable a voucher',
        params: codeParams,
        response: voucherJson,
        errors: { 404: 'No such voucher' },
      },
      async ({ params }) => vouchers.setActive(params.code, true),
    )
    .route(
      {
        method: 'post',
        path: '/:code/disable',
        summary: 'Disable a voucher: publications never hand it out',
        params: codeParams,
        response: voucherJson,
        errors: { 404: 'No such voucher' },
      },
      async ({ params }) => vouchers.setActive(params.code, false),
    );
}
