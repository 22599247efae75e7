import { z } from 'zod';
import { createAppKey, revokeAppKey } from '../../auth/app-keys';
import type { AppContext } from '../../context';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';

const appKeySchema = z.object({
  id: z.string().describe('Sent as X-App-Id'),
  object: z.literal('app_key'),
  name: z.string(),
  created_at: z.string().describe('ISO 8601'),
});

const issuedKeySchema = appKeySchema.extend({
  token: z.string().describe('Sent as X-App-Token. Shown only in this answer: store it now.'),
});

const idParams = z.strictObject({ id: z.string().min(1).max(64) });

function toJson(key: { _id: string; name: string; createdAt?: Date }) {
  return { id: key._id, object: 'app_key' as const, name: key.name, created_at: (key.createdAt ?? new Date(0)).toISOString() };
}

/** Application keys: who may call the admin API. Tokens are stored hashed and shown once. */
export function appKeysRouter({ models: { AppKey } }: AppContext): ApiRouter {
  return new ApiRouter('/v1/app-keys', 'Application keys')
    .route({ method: 'get', path: '/', summary: 'List application keys (never their tokens)', response: z.object({ object: z.literal('list'), data_ref: z.literal('data'), data: z.array(appKeySchema), total: z.number() }) }, async () => {
      const keys = await AppKey.find({}, { tokenHash: 0 }).sort({ createdAt: 1 }).lean();
      return { object: 'list', data_ref: 'data', data: keys.map(toJson), total: keys.length };
    })
    .route(
      {
        method: 'post',
        path: '/',
        summary: 'Create an application key; the answer holds its token, once',
        body: z.strictObject({ name: z.string().trim().min(1).max(100).describe('Who or what the key is for') }),
        response: issuedKeySchema,
        status: 201,
      },
      async ({ body }) => {
        const { appId, appToken } = await createAppKey(AppKey, body.name);
        const key = await AppKey.findById(appId).lean();
        return { ...toJson(key!), token: appToken };
      },
    )
    .route(
      { method: 'delete', path: '/:id', summary: 'Revoke an application key', params: idParams, status: 204, errors: { 404: 'Unknown key', 409: 'The last key cannot be revoked' } },
      async ({ params }) => {
        // Revoking the last key would lock every operator out of the API.
        if ((await AppKey.countDocuments()) <= 1 && (await AppKey.exists({ _id: params.id }))) {
          throw AppError.conflict('last_app_key', 'Cannot revoke the last application key', 'Create another key first.');
        }
        if (!(await revokeAppKey(AppKey, params.id))) throw AppError.notFound('app_key', params.id);
      },
    );
}
