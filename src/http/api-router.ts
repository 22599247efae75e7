import { Router, type Request, type Response } from 'express';
import type { ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Role } from '../auth/roles';
import { routeMatched } from './middleware/access-log';
import { authorize } from './middleware/auth';
import { validate } from './middleware/validate';

type Method = 'get' | 'post' | 'put' | 'delete';
type ObjectSchema = z.ZodObject;

export interface RouteSpec<
  B extends z.ZodType | undefined,
  Q extends ObjectSchema | undefined,
  P extends ObjectSchema | undefined,
> {
  method: Method;
  /** Express path relative to the router's mount point, e.g. `/:id`. */
  path: string;
  summary: string;
  /**
   * The least key role that may call it (src/auth/roles.ts). Unset: `read` for GET, `write`
   * for the rest; set it where that is wrong (a POST that only reads, an admin resource).
   */
  role?: Role;
  body?: B;
  /**
   * The body is multipart/form-data with a file in this field, which the handler reads from
   * the request itself (JSON parsing leaves such a body alone); documented, not validated.
   */
  upload?: { field: string; description: string };
  query?: Q;
  params?: P;
  /** Status of a successful answer; 204 sends no body. */
  status?: number;
  /** The success response's schema, for the OpenAPI document. */
  response?: z.ZodType;
  /** Other documented answers, e.g. `{ 404: 'Unknown key' }`. */
  errors?: Record<number, string>;
  /** Other successful answers the handler sends itself (`res.status(202).json(…)`), with their schema. */
  alsoAnswers?: Record<number, { description: string; response: z.ZodType }>;
  /**
   * Statuses the handler answers in another media type, e.g. `{ 200: 'text/html' }`: for the
   * success status it is offered beside the JSON `response` (or alone without one); for an
   * error status it replaces the JSON error body.
   */
  media?: Record<number, string>;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteInput<B, Q, P> {
  body: Infer<B>;
  query: Infer<Q>;
  params: Infer<P>;
  req: Request;
  res: Response;
}

/**
 * An Express router whose routes carry their zod schemas: the same schemas validate
 * requests at the edge and generate the OpenAPI document, so the two cannot drift.
 */
export class ApiRouter {
  readonly router = Router();
  private readonly docs: RouteConfig[] = [];

  constructor(
    /** Where the router is mounted, e.g. `/v1/app-keys`. */
    readonly basePath: string,
    readonly tag: string,
    private readonly secured = true,
  ) {}

  route<B extends z.ZodType | undefined, Q extends ObjectSchema | undefined, P extends ObjectSchema | undefined>(
    spec: RouteSpec<B, Q, P>,
    handler: (input: RouteInput<B, Q, P>) => Promise<unknown> | unknown,
  ): this {
    const status = spec.status ?? 200;
    const role = this.secured ? requiredRole(spec) : undefined;
    const guard = role ? [authorize(role)] : [];
    this.router[spec.method](
      spec.path,
      routeMatched(`${this.basePath}${spec.path}`),
      ...guard,
      validate({ body: spec.body, query: spec.query, params: spec.params }),
      async (req, res) => {
        const result = await handler({
          body: res.locals.body,
          query: res.locals.query,
          params: res.locals.params,
          req,
          res,
        });
        if (res.headersSent) return;
        if (status === 204) res.status(204).end();
        else res.status(status).json(result);
      },
    );
    this.docs.push(toOpenApi(this.basePath, this.tag, role, spec, status));
    return this;
  }

  openApiRoutes(): readonly RouteConfig[] {
    return this.docs;
  }
}

function requiredRole(spec: { method: Method; role?: Role }): Role {
  return spec.role ?? (spec.method === 'get' ? 'read' : 'write');
}

/** What a secured operation tells readers of the OpenAPI about keys: in its text and as `x-required-role`. */
export function securityDoc(role: Role) {
  return {
    description: `Requires an application key with the \`${role}\` role${role === 'admin' ? '' : ' or higher'} (roles: read < write < admin).`,
    security: [{ AppId: [], AppToken: [] }],
    'x-required-role': role,
  };
}

/** Answers every secured route may give besides its own. */
export const SECURED_ERRORS: Record<number, string> = {
  401: 'Missing or invalid X-App-Id / X-App-Token',
  403: "The key's role does not allow this route",
  429: 'Too many failed authentications from this address or for this key id; see Retry-After',
};

/** A non-JSON body: text, or bytes for anything else (images). */
function mediaSchema(type: string): { type: 'string'; format?: string } {
  return type.startsWith('text/') ? { type: 'string' } : { type: 'string', format: 'binary' };
}

function toOpenApi(
  basePath: string,
  tag: string,
  role: Role | undefined,
  spec: RouteSpec<z.ZodType | undefined, ObjectSchema | undefined, ObjectSchema | undefined>,
  status: number,
): RouteConfig {
  const media = spec.media ?? {};
  const successMedia = media[status];
  const successContent = {
    ...(spec.response ? { 'application/json': { schema: spec.response } } : {}),
    ...(successMedia ? { [successMedia]: { schema: mediaSchema(successMedia) } } : {}),
  };
  const responses: Record<string, ResponseConfig> = {
    [status]: {
      description: status === 204 ? 'No content' : 'Success',
      ...(Object.keys(successContent).length > 0 ? { content: successContent } : {}),
    },
  };
  for (const [code, other] of Object.entries(spec.alsoAnswers ?? {})) {
    responses[code] = { description: other.description, content: { 'application/json': { schema: other.response } } };
  }
  const errorSchemaRef = { $ref: '#/components/schemas/Error' };
  const errors: Record<number, string> = { ...spec.errors };
  if (spec.body || spec.query || spec.params) errors[400] ??= 'Invalid request';
  // express.json refuses a body over the configured limit before validation runs.
  if (spec.body || spec.upload) errors[413] ??= 'Request body larger than the limit';
  if (spec.upload) errors[415] ??= 'Not multipart/form-data, or a file of a type not accepted';
  if (role) Object.assign(errors, SECURED_ERRORS);
  for (const [code, description] of Object.entries(errors)) {
    const other = media[Number(code)];
    responses[code] = {
      description,
      content: other ? { [other]: { schema: mediaSchema(other) } } : { 'application/json': { schema: errorSchemaRef } },
    };
  }
  return {
    method: spec.method,
    path: `${basePath}${spec.path}`.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/',
    summary: spec.summary,
    tags: [tag],
    ...(role ? securityDoc(role) : {}),
    request: {
      ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
      ...(spec.upload
        ? {
            body: {
              required: true,
              content: {
                'multipart/form-data': {
                  schema: z.object({
                    [spec.upload.field]: z.string().meta({ format: 'binary', description: spec.upload.description }),
                  }),
                },
              },
            },
          }
        : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.params ? { params: spec.params } : {}),
    },
    responses,
  };
}
