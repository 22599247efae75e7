import { z } from 'zod';
import { createAppKey, revokeAppKey } from '../../auth/app-keys';
import { ROLES, storedRole } from '../../auth/roles';
import { LockBusyError } from '../../db/lock';
import { LIVE_KEY } from '../../models/app-key';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';

const appKeySchema = z.object({
  id: z.string().describe('Sent as X-App-Id'),
  object: z.literal('app_key'),
  name: z.string(),
  role: z
    .enum(ROLES)
    .describe('read: read everything; write: also change business data; admin: also manage keys and channel accounts'),
  created_at: z.string().describe('ISO 8601'),
});

const issuedKeySchema = appKeySchema.extend({
  token: z.string().describe('Sent as X-App-Token. Shown only in this answer: store it now.'),
});

const idParams = z.strictObject({ id: z.string().min(1).max(64) });

function toJson(key: { _id: string; name: string; role?: string | null; createdAt?: Date }) {
  return {
    id: key._id,
    object: 'app_key' as const,
    name: key.name,
    role: storedRole(key.role),
    created_at: (key.createdAt ?? new Date(0)).toISOString(),
  };
}

/** Application keys: who may call the admin API, and with which role. Tokens are stored hashed and shown once; only admin keys manage keys. */
export function appKeysRouter({ models: { AppKey, Lock } }: Pick<Infrastructure, 'models'>): ApiRouter {
  return new ApiRouter('/v1/app-keys', 'Application keys')
    .route(
      {
        method: 'get',
        path: '/',
        role: 'admin',
        summary: 'List live application keys (never their tokens)',
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(appKeySchema),
          total: z.number(),
        }),
      },
      async () => {
        const keys = await AppKey.find(LIVE_KEY, { tokenHash: 0 }).sort({ createdAt: 1 }).lean();
        return { object: 'list', data_ref: 'data', data: keys.map(toJson), total: keys.length };
      },
    )
    .route(
      {
        method: 'post',
        path: '/',
        role: 'admin',
        summary: 'Create an application key; the answer holds its token, once',
        body: z.strictObject({
          name: z.string().trim().min(1).max(100).describe('Who or what the key is for'),
          role: z.enum(ROLES).default('read').describe('What the key may do; read unless said otherwise'),
        }),
        response: issuedKeySchema,
        status: 201,
      },
      async ({ body }) => {
        const { appId, appToken } = await createAppKey(AppKey, body.name, body.role);
        const key = await AppKey.findById(appId).lean();
        return { ...toJson(key!), token: appToken };
      },
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        role: 'admin',
        summary: 'Revoke an application key for good (a revoked APP_ID stays revoked across restarts)',
        params: idParams,
        status: 204,
        errors: {
          404: 'Unknown or already revoked key',
          409: 'The last admin key cannot be revoked, or another revocation is running',
        },
      },
      async ({ params }) => {
        let outcome;
        try {
          outcome = await revokeAppKey({ AppKey, Lock }, params.id);
        } catch (err) {
          if (err instanceof LockBusyError)
            throw AppError.conflict('revocation_busy', 'Another key revocation is running', 'Try again in a moment.');
          throw err;
        }
        if (outcome === 'not_found') throw AppError.notFound('app_key', params.id);
        // Revoking the last admin key would lock every operator out of keys and channel accounts.
        if (outcome === 'last_admin')
          throw AppError.conflict(
            'last_app_key',
            'Cannot revoke the last admin key',
            'Create another admin key first.',
          );
      },
    );
}
