import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { createSession, endSession, SESSION_COOKIE, SESSION_TTL_SECONDS } from '../../auth/sessions';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';
import type { FailedAuthThrottle } from '../../auth/failed-auth-throttle';
import { authenticatedKey, refuseThrottled } from '../../http/middleware/auth';

const sessionSchema = z.object({
  object: z.literal('session'),
  app_key: z.object({
    id: z.string(),
    role: z.string().describe("The key's role; keys made before roles existed are `admin`"),
  }),
  expires_at: z.string().describe('ISO 8601; sign in again after it'),
  temporal_ui: z
    .object({ url: z.string(), namespace: z.string() })
    .nullable()
    .describe('Where the Temporal Web UI is, for links to workflows; null when unknown'),
});

type SessionJson = z.infer<typeof sessionSchema>;

/**
 * `req.secure` believes X-Forwarded-Proto exactly when TRUST_PROXY says so, as HSTS and the
 * client address do: behind a TLS-terminating proxy, set TRUST_PROXY to get a Secure cookie.
 */
function cookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: '/' };
}

/** Sessions are read from the data; an answer names the Temporal UI the console links to. */
type SessionDeps = Pick<Infrastructure, 'models' | 'logger' | 'temporal' | 'temporalUiUrl'>;

function toJson(ctx: SessionDeps, key: { id: string; role: string }, expiresAt: Date): SessionJson {
  return {
    object: 'session',
    app_key: key,
    expires_at: expiresAt.toISOString(),
    temporal_ui: ctx.temporalUiUrl ? { url: ctx.temporalUiUrl, namespace: ctx.temporal.options.namespace } : null,
  };
}

/**
 * `POST /v1/sessions`: the console's sign-in, mounted before authentication (it is how a
 * browser gets credentials). The token travels only in an HttpOnly cookie, so page script
 * (and whatever an injected script would do with it) never holds it.
 */
export function sessionSignInRouter(ctx: SessionDeps, throttle: FailedAuthThrottle): ApiRouter {
  const router = new ApiRouter('/v1/sessions', 'Console sessions', false);
  // Parsed here too: the body of a sign-in must be read before any key is known.
  router.router.use(express.json({ limit: '4kb' }));
  return router.route(
    {
      method: 'post',
      path: '/',
      summary:
        'Sign in to the console: exchange an application key for a session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS)',
      body: z.strictObject({ app_id: z.string().trim().min(1).max(64), app_token: z.string().min(1).max(256) }),
      response: sessionSchema,
      status: 201,
      errors: {
        401: 'The application id / token pair is not valid',
        429: 'Too many failed authentications from this address or for this key id; see Retry-After',
      },
    },
    async ({ body, req, res }) => {
      const address = req.ip ?? 'unknown';
      await refuseThrottled(throttle, res, address, body.app_id);
      const session = await createSession(ctx.models, body.app_id, body.app_token);
      if (!session) {
        await throttle.failed(address, body.app_id);
        ctx.logger.warn({ appId: body.app_id, ip: req.ip }, 'console sign-in refused: invalid application key');
        throw AppError.unauthorized('The application id / token pair is not valid.');
      }
      res.cookie(SESSION_COOKIE, session.token, { ...cookieOptions(req), maxAge: SESSION_TTL_SECONDS * 1000 });
      ctx.logger.info({ appId: session.key.id }, 'console session started');
      return toJson(ctx, session.key, session.expiresAt);
    },
  );
}

function currentSession(res: Response): { token: string; expiresAt: Date } {
  const session = res.locals.session as { token: string; expiresAt: Date } | undefined;
  if (!session)
    throw new AppError(
      404,
      'no_session',
      'No console session',
      'This request was authenticated by key headers, not by a session cookie.',
    );
  return session;
}

/** `GET/DELETE /v1/sessions/current`, behind authentication like every other /v1 route. */
export function sessionsRouter(ctx: SessionDeps): ApiRouter {
  return new ApiRouter('/v1/sessions', 'Console sessions')
    .route(
      {
        method: 'get',
        path: '/current',
        summary: 'The signed-in session: its key id, role and expiry',
        response: sessionSchema,
        errors: { 404: 'Authenticated by key headers, not a session' },
      },
      ({ res }) => {
        const session = currentSession(res);
        return toJson(ctx, authenticatedKey(res)!, session.expiresAt);
      },
    )
    .route(
      {
        method: 'delete',
        path: '/current',
        role: 'read',
        summary: 'Sign out: end the session and clear its cookie (send X-Requested-With)',
        status: 204,
        errors: { 403: 'X-Requested-With missing', 404: 'Authenticated by key headers, not a session' },
      },
      async ({ req, res }) => {
        const session = currentSession(res);
        await endSession(ctx.models.Session, session.token);
        res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      },
    );
}
