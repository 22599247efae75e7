import { z } from 'zod';
import type { ConsentCatalog } from '../../consents/consent-catalog';
import type { CustomerConsents } from '../../consents/customer-consents';
import { channelInput, consentGroupInput, consentInput, customerConsentsInput } from '../../consents/consent-input';
import { toConsentGroupJson, toConsentJson } from '../../consents/consent-json';
import { ApiRouter } from '../../http/api-router';

const consentJson = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
  object: z.literal('consent'),
});
const groupJson = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  consents: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string().nullable(),
  object: z.literal('consent_group'),
});
const dataList = <T extends z.ZodType>(item: T) =>
  z.object({ object: z.literal('list'), total: z.number(), data_ref: z.literal('data'), data: z.array(item) });

/**
 * Consent definitions and groups. Deprecated at Voucherify but still called by its SDK
 * (`consents.list`); creating and deleting them is ours, Voucherify did it in its dashboard.
 */
export function consentsRouter({ consents }: { consents: ConsentCatalog }): ApiRouter {
  return new ApiRouter('/v1/consents', 'Consents')
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List consents and consent groups',
        response: z.object({ groups: dataList(groupJson), consents: dataList(consentJson) }),
      },
      async () => {
        const all = await consents.list();
        return {
          groups: {
            object: 'list' as const,
            total: all.groups.length,
            data_ref: 'data' as const,
            data: all.groups.map(toConsentGroupJson),
          },
          consents: {
            object: 'list' as const,
            total: all.consents.length,
            data_ref: 'data' as const,
            data: all.consents.map(toConsentJson),
          },
        };
      },
    )
    .route(
      { method: 'post', path: '/', summary: 'Define a consent', body: consentInput, response: consentJson },
      async ({ body }) => toConsentJson(await consents.create(body)),
    )
    .route(
      {
        method: 'post',
        path: '/groups',
        summary: 'Define a consent group',
        body: consentGroupInput,
        response: groupJson,
        errors: { 400: 'Invalid request, or a member consent does not exist' },
      },
      async ({ body }) => toConsentGroupJson(await consents.createGroup(body)),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        summary: 'Delete a consent (it leaves every group) or a consent group',
        params: z.strictObject({
          id: z.string().min(1).max(100).describe('Consent id (cnst_…) or consent group id (cnstgr_…)'),
        }),
        status: 204,
        errors: { 404: 'No such consent or group' },
      },
      async ({ params }) => {
        await consents.delete(params.id);
      },
    );
}

const customerParams = z.strictObject({ id: z.string().min(1).max(200).describe('Customer id (cust_…) or source_id') });
const customerConsentsJson = z.object({
  consents: z.array(z.object({ id: z.string(), name: z.string(), granted: z.boolean(), updated_at: z.string() })),
  unsubscribed_channels: z.array(z.string()),
});

/** A customer's consent answers (Voucherify's deprecated write endpoint) and channel opt-outs (ours). */
export function customerConsentsRouter({ customerConsents }: { customerConsents: CustomerConsents }): ApiRouter {
  return new ApiRouter('/v1/customers', 'Consents')
    .route(
      {
        method: 'put',
        path: '/:id/consents',
        summary:
          'Grant or revoke consents ({"cnst_…": true, "cnstgr_…": false}); {"unsubscribed": true} opts out of every channel',
        params: customerParams,
        body: customerConsentsInput,
        status: 204,
        errors: { 400: 'Invalid request, or an unknown consent id', 404: 'No such customer' },
      },
      async ({ params, body }) => {
        await customerConsents.update(params.id, body);
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id/consents',
        summary: "A customer's consent answers and channel opt-outs",
        params: customerParams,
        response: customerConsentsJson,
        errors: { 404: 'No such customer' },
      },
      async ({ params }) => customerConsents.view(params.id),
    )
    .route(
      {
        method: 'post',
        path: '/:id/unsubscribe',
        summary: 'Opt a customer out of a channel (or `all`); always honoured by distributions',
        params: customerParams,
        body: channelInput,
        response: customerConsentsJson,
        errors: { 404: 'No such customer' },
      },
      async ({ params, body }) =>
        customerConsents.changeChannel(params.id, { action: 'unsubscribe', channel: body.channel }),
    )
    .route(
      {
        method: 'post',
        path: '/:id/resubscribe',
        summary: 'Lift an opt-out; `all` lifts every one',
        params: customerParams,
        body: channelInput,
        response: customerConsentsJson,
        errors: { 404: 'No such customer' },
      },
      async ({ params, body }) =>
        customerConsents.changeChannel(params.id, { action: 'resubscribe', channel: body.channel }),
    );
}
