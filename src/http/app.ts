import express, { type Express } from 'express';
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
import { templatesRouter } from '../api/templates/router';
import { publicRouter } from '../api/public/router';
import { vouchersRouter } from '../api/vouchers/router';
import type { AppContext } from '../context';
import type { ApiRouter } from './api-router';
import { CONSOLE_DIST } from '../tools/console-build';
import { consoleRouter } from './console';
import { createMetrics } from './metrics';
import { accessLog } from './middleware/access-log';
import { requireAppKey } from './middleware/auth';
import { errorHandler, notFoundRoute } from './middleware/error-handler';
import { requestId } from './middleware/request-id';
import { buildOpenApiDocument } from './openapi';

const VERSION: string = require('../../package.json').version;

/** Builds the Express app; `listen` is the caller's business, so tests drive it with supertest. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  const metrics = createMetrics();
  app.disable('x-powered-by');
  // Voucherify's SDK sends nested filters in qs bracket notation, which the simple parser drops.
  app.set('query parser', 'extended');

  app.use(requestId, accessLog(ctx.logger), metrics.middleware);
  // The SDK with a trailing-slash apiUrl asks for `//v1/...`; treat it as `/v1/...`.
  app.use((req, _res, next) => {
    if (req.url.startsWith('//')) req.url = req.url.replace(/^\/+/, '/');
    next();
  });
  // Uploads stream into storage, so their router comes before express.json and authenticates its own routes.
  const customerImports = customerImportsRouter(ctx);
  app.use(customerImports.basePath, customerImports.router);
  // MongoDB cannot store a key with a NUL byte; refusing it while parsing keeps it a 400 on every route.
  app.use(express.json({ limit: ctx.bodyLimit, reviver: refuseNulKeys }));

  const routers: ApiRouter[] = [healthRouter(ctx), appKeysRouter(ctx), customersRouter(ctx), segmentsRouter(ctx), eventsRouter(ctx), metadataSchemasRouter(ctx), campaignsRouter(ctx), vouchersRouter(ctx), publicationsRouter(ctx), ordersRouter(ctx), consentsRouter(ctx), customerConsentsRouter(ctx), asyncActionsRouter(ctx), balancesRouter(ctx), rewardsRouter(ctx), loyaltyRewardsRouter(ctx), validationRulesRouter(ctx), validationsRouter(ctx), redemptionsRouter(ctx), voucherRedemptionRouter(ctx), promotionsRouter(ctx), distributionsRouter(ctx), templatesRouter(ctx), publicRouter(ctx), channelsRouter(ctx), sessionsRouter(ctx), campaignPoolRouter(ctx), customerMessagesRouter(ctx)];
  const signIn = sessionSignInRouter(ctx);
  const openApi = buildOpenApiDocument([signIn, ...routers, customerImports], VERSION);

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' }, customSiteTitle: 'Promo distribution engine API' }));

  // /public (publicRouter: signed links in emails) is outside /v1, so no key is asked for there.
  // Authentication guards the whole /v1 tree, unknown paths included, so a missing route never answers before auth does.
  // Signing in is the one /v1 route that takes credentials in its body instead of asking for them.
  app.use(signIn.basePath, signIn.router);
  app.use('/v1', requireAppKey(ctx.models.AppKey, ctx.models.Session));
  for (const router of routers) app.use(router.basePath, router.router);
  app.use(consoleRouter(CONSOLE_DIST));

  app.use(notFoundRoute);
  app.use(errorHandler(ctx.logger));
  return app;
}

function refuseNulKeys(key: string, value: unknown): unknown {
  if (key.includes('\u0000')) throw new SyntaxError(`object key ${JSON.stringify(key)} contains a NUL character`);
  return value;
}
