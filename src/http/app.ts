import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { appKeysRouter } from '../api/app-keys/router';
import { balancesRouter } from '../api/balances/router';
import { loyaltyRewardsRouter, rewardsRouter } from '../api/rewards/router';
import { asyncActionsRouter } from '../api/async-actions/router';
import { consentsRouter, customerConsentsRouter } from '../api/consents/router';
import { customerImportsRouter } from '../api/customer-imports/router';
import { campaignPoolRouter } from '../api/campaigns/pool-router';
import { campaignsRouter } from '../api/campaigns/router';
import { channelsRouter } from '../api/channels/router';
import { codecCors } from '../api/codec/cors';
import { codecAuth, codecRouter } from '../api/codec/router';
import { customerMessagesRouter } from '../api/customers/messages-router';
import { customersRouter } from '../api/customers/router';
import { distributionsRouter } from '../api/distributions/router';
import { eventsRouter } from '../api/events/router';
import { healthRouter } from '../api/health/router';
import { publicationsRouter } from '../api/publications/router';
import { redemptionsRouter, voucherRedemptionRouter } from '../api/redemptions/router';
import { validationRulesRouter } from '../api/validation-rules/router';
import { validationsRouter } from '../api/validations/router';
import { metadataSchemasRouter } from '../api/metadata-schemas/router';
import { ordersRouter } from '../api/orders/router';
import { promotionsRouter } from '../api/promotions/router';
import { segmentsRouter } from '../api/segments/router';
import { sessionSignInRouter, sessionsRouter } from '../api/sessions/router';
import { templateImagesRouter } from '../api/template-images/router';
import { templateTestsRouter } from '../api/template-tests/router';
import { templatesRouter } from '../api/templates/router';
import { publicRouter } from '../api/public/router';
import { vouchersRouter } from '../api/vouchers/router';
import type { AppContext } from '../context';
import type { ApiRouter } from './api-router';
import { CONSOLE_DIST } from '../tools/console-build';
import { consoleRouter } from './console';
import { createMetrics } from './metrics';
import { accessLog } from './middleware/access-log';
import { FailedAuthThrottle } from '../auth/failed-auth-throttle';
import { requireAppKey } from './middleware/auth';
import { nestsDeeperThan } from '../metadata/metadata-bounds';
import { AppError } from './errors';
import { errorHandler, notFoundRoute } from './middleware/error-handler';
import { requestId } from './middleware/request-id';
import { buildOpenApiDocument } from './openapi';

const VERSION: string = require('../../package.json').version;

export interface AppOptions {
  /** Browser origins (the Temporal Web UI's) allowed to call the payload codec routes. */
  codecCorsOrigins?: readonly string[];
  /** When set, `/metrics` asks for `Authorization: Bearer <token>` (METRICS_TOKEN). */
  metricsToken?: string;
}

/** Builds the Express app; `listen` is the caller's business, so tests drive it with supertest. */
export function createApp(ctx: AppContext, options: AppOptions = {}): Express {
  const app = express();
  const metrics = createMetrics(ctx.models, options.metricsToken);
  app.disable('x-powered-by');
  if (ctx.trustProxy) app.set('trust proxy', trustProxyValue(ctx.trustProxy));
  app.use(securityHeaders());
  // Voucherify's SDK sends nested filters in qs bracket notation, which the simple parser drops.
  app.set('query parser', 'extended');

  app.use(requestId, accessLog(ctx.logger), metrics.middleware);
  // The SDK with a trailing-slash apiUrl asks for `//v1/...`; treat it as `/v1/...`.
  app.use((req, _res, next) => {
    if (req.url.startsWith('//')) req.url = req.url.replace(/^\/+/, '/');
    next();
  });
  const customerImports = customerImportsRouter(ctx);
  const routers: ApiRouter[] = [
    healthRouter(ctx),
    appKeysRouter(ctx),
    customersRouter(ctx),
    segmentsRouter(ctx),
    eventsRouter(ctx),
    metadataSchemasRouter(ctx),
    campaignsRouter(ctx),
    vouchersRouter(ctx),
    publicationsRouter(ctx),
    ordersRouter(ctx),
    consentsRouter(ctx),
    customerConsentsRouter(ctx),
    asyncActionsRouter(ctx),
    balancesRouter(ctx),
    rewardsRouter(ctx),
    loyaltyRewardsRouter(ctx),
    validationRulesRouter(ctx),
    validationsRouter(ctx),
    redemptionsRouter(ctx),
    voucherRedemptionRouter(ctx),
    promotionsRouter(ctx),
    distributionsRouter(ctx),
    templatesRouter(ctx),
    templateTestsRouter(ctx),
    templateImagesRouter(ctx),
    publicRouter(ctx),
    channelsRouter(ctx),
    sessionsRouter(ctx),
    campaignPoolRouter(ctx),
    customerMessagesRouter(ctx),
  ];
  // One throttle for both ways of presenting a key: a wrong token counts the same at sign-in as in headers.
  const throttle = new FailedAuthThrottle();
  const authenticate = requireAppKey(ctx.models.AppKey, ctx.models.Session, throttle);
  const signIn = sessionSignInRouter(ctx, throttle);
  // The payload codec (Temporal UI / CLI) takes event lists larger than the API's body limit; its key is checked before they are parsed.
  const codec = codecRouter(ctx);
  // Its POSTs change nothing, so a console session may call it without the CSRF header: the Temporal Web UI, with
  // "include cross-origin credentials", decodes for a signed-in operator; CORS keeps other origins from reading answers.
  const codecAuthenticate = requireAppKey(ctx.models.AppKey, ctx.models.Session, throttle, { csrfHeader: false });
  app.use(codec.basePath, codecCors(options.codecCorsOrigins ?? []), ...codecAuth(codecAuthenticate), codec.router);
  const openApi = buildOpenApiDocument([signIn, ...routers, customerImports, codec], VERSION);

  app.get('/metrics', metrics.handler);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, {
      swaggerOptions: { url: '/openapi.json' },
      customSiteTitle: 'Promo distribution engine API',
    }),
  );

  // /public (publicRouter: signed links in emails) is outside /v1, so no key is asked for there.
  // Signing in is the one /v1 route that takes credentials in its body instead of asking for them.
  app.use(signIn.basePath, signIn.router);
  // Authentication guards the whole /v1 tree, unknown paths included, so a missing route never answers before auth does;
  // each route then checks its key's role. Bodies are read only after authentication, so an anonymous caller costs no parsing.
  app.use('/v1', authenticate);
  // A deep health check starts a workflow: worth a key, unlike the plain probe load balancers call.
  app.use('/health', (req, res, next) => (req.query.deep === 'true' ? authenticate(req, res, next) : next()));
  // Uploads stream into storage, so their router comes before express.json.
  app.use(customerImports.basePath, customerImports.router);
  // MongoDB cannot store a key with a NUL byte; refusing it while parsing keeps it a 400 on every route.
  app.use('/v1', express.json({ limit: ctx.bodyLimit, reviver: refuseNulKeys }), refuseDeepBodies);
  for (const router of routers) app.use(router.basePath, router.router);
  const apiMounts = [
    '/metrics',
    '/openapi.json',
    '/docs',
    '/health',
    signIn.basePath,
    codec.basePath,
    customerImports.basePath,
    ...routers.map((r) => r.basePath),
  ];
  app.use(consoleRouter(CONSOLE_DIST, apiMounts));

  app.use(notFoundRoute);
  app.use(errorHandler(ctx.logger));
  return app;
}

/**
 * helmet's headers on every response: nosniff, frame-ancestors 'self' and X-Frame-Options,
 * no referrer, a CSP that lets /docs run its own scripts only. Routes that answer HTML of
 * their own (public pages, previews) set a stricter CSP over it. HSTS only on HTTPS, where
 * browsers heed it (behind a proxy, TRUST_PROXY makes X-Forwarded-Proto count).
 */
function securityHeaders(): RequestHandler {
  const headers = helmet({
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    // Plain-HTTP local runs (npm start) must keep their /docs assets; HTTPS deployments get HSTS instead.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  const hsts = helmet.strictTransportSecurity({ maxAge: 31_536_000, includeSubDomains: true });
  return (req, res, next) =>
    headers(req, res, (err?: unknown) => (err ? next(err) : req.secure ? hsts(req, res, next) : next()));
}

function trustProxyValue(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * Deeper than any body the API takes (metadata, itself capped at 10 levels, sits a few levels
 * in): every free-form field — settings, rules, a redemption's order — is stored or copied, and
 * a deeply nested document overflows the embedded database's stack. Checked once, for all routes.
 */
const MAX_BODY_DEPTH = 64;

const refuseDeepBodies: RequestHandler = (req, _res, next) => {
  if (nestsDeeperThan(req.body, MAX_BODY_DEPTH))
    return next(
      AppError.badRequest(
        'body_too_deep',
        'Request body nests too deep',
        `a request body may nest objects and arrays at most ${MAX_BODY_DEPTH} levels deep`,
      ),
    );
  next();
};

function refuseNulKeys(key: string, value: unknown): unknown {
  if (key.includes('\u0000')) throw new SyntaxError(`object key ${JSON.stringify(key)} contains a NUL character`);
  return value;
}
