import { z } from 'zod';
import { boundedRecord } from '../../metadata/metadata-bounds';
import { MASK } from '../../channels/secrets';
import type { ChannelAccountService } from '../../channels/channel-account-service';
import type { Infrastructure } from '../../infrastructure';
import { findPage } from '../../db/find-page';
import { ApiRouter } from '../../http/api-router';
import type { ChannelAccountDoc } from '../../models/channel-account';
import { pagingQuery } from '../list-query';

const idParams = z.strictObject({ id: z.string().min(1).max(100) });

const credentialsInput = z
  .record(
    z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'a credential name is letters, digits and _'),
    z.string().min(1).max(10_000),
  )
  .describe("Secrets by name, e.g. { api_key: '…' }; the names the channel type's adapter asks for");
const settingsInput = boundedRecord(z.string(), 'settings').describe(
  'Plain provider settings: sender, list id, profile field names, region',
);
const nameInput = z.string().trim().min(1).max(200);

const createBody = z.strictObject({
  type: z.string().trim().min(1).max(100).describe('A channel type whose adapter takes an account, e.g. sendgrid'),
  name: nameInput,
  credentials: credentialsInput,
  settings: settingsInput.optional(),
});

const updateBody = z.strictObject({
  name: nameInput.optional(),
  credentials: credentialsInput.optional().describe('Merged into the stored ones: a name left out keeps its value'),
  settings: settingsInput.optional().describe('Replaces the stored settings'),
});

const channelJson = z.object({
  id: z.string(),
  object: z.literal('channel'),
  type: z.string(),
  name: z.string(),
  credentials: z
    .record(z.string(), z.literal(MASK))
    .describe('Every stored credential, masked: values are never returned'),
  credential_names: z.array(z.string()),
  settings: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});

const testJson = z.object({ ok: z.boolean(), error: z.string().optional() });

/** Credentials appear only as their names and a mask: the API never answers with a secret. */
export function toChannelJson(c: ChannelAccountDoc) {
  return {
    id: c._id,
    object: 'channel' as const,
    type: c.type,
    name: c.name,
    credentials: Object.fromEntries(c.credential_names.map((n) => [n, MASK])) as Record<string, typeof MASK>,
    credential_names: c.credential_names,
    settings: c.settings ?? {},
    created_at: new Date(c.created_at).toISOString(),
    updated_at: new Date(c.updated_at).toISOString(),
  };
}

const notFound = { 404: 'No such channel account' };

/** Provider accounts that distribution channels send through (`channels[].channel_id`). */
export function channelsRouter({
  channelAccounts,
  models,
}: Pick<Infrastructure, 'models'> & { channelAccounts: ChannelAccountService }): ApiRouter {
  return new ApiRouter('/v1/channels', 'Channels')
    .route(
      {
        method: 'post',
        path: '/',
        role: 'admin',
        summary: 'Create a provider account; its credentials are stored encrypted',
        body: createBody,
        response: channelJson,
      },
      async ({ body }) => toChannelJson(await channelAccounts.create(body)),
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List provider accounts, newest first (credentials masked)',
        query: z.strictObject({ ...pagingQuery, type: z.string().trim().min(1).max(100).optional() }),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(channelJson),
          total: z.number(),
          has_more: z.boolean(),
        }),
      },
      async ({ query }) => {
        const filter = query.type ? { type: query.type } : {};
        const { docs, total, has_more } = await findPage(models.ChannelAccount, filter, {
          sort: { created_at: -1, _id: -1 },
          page: query.page,
          limit: query.limit,
          projection: { credentials_encrypted: 0 },
        });
        return { object: 'list' as const, data_ref: 'data' as const, data: docs.map(toChannelJson), total, has_more };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a provider account (credentials masked)',
        params: idParams,
        response: channelJson,
        errors: notFound,
      },
      async ({ params }) => toChannelJson(await channelAccounts.get(params.id)),
    )
    .route(
      {
        method: 'put',
        path: '/:id',
        role: 'admin',
        summary: 'Edit name, settings or credentials (credentials given are merged into the stored ones)',
        params: idParams,
        body: updateBody,
        response: channelJson,
        errors: { ...notFound, 409: 'Changed meanwhile' },
      },
      async ({ params, body }) => toChannelJson(await channelAccounts.update(params.id, body)),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        role: 'admin',
        summary: 'Delete a provider account and its credentials',
        params: idParams,
        status: 204,
        errors: { ...notFound, 409: 'A live distribution sends through it' },
      },
      async ({ params }) => {
        await channelAccounts.delete(params.id);
      },
    )
    .route(
      {
        method: 'post',
        path: '/:id/test',
        role: 'admin',
        summary: 'Test the account with a cheap authenticated call to the provider: { ok } or { ok: false, error }',
        params: idParams,
        response: testJson,
        errors: { ...notFound, 500: 'Credentials cannot be decrypted (another CHANNEL_SECRETS_KEY)' },
      },
      async ({ params }) => channelAccounts.test(params.id),
    );
}
