import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';

/** The Temporal UI and CLI decode a whole event list at once; payloads reach 2 MB each, base64 adds a third. */
const CODEC_BODY_LIMIT = '16mb';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
/** A `temporal.api.common.v1.Payload` in proto JSON: bytes are base64, empty fields may be left out. */
const payloadJson = z
  .object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })
  .meta({ description: 'A Temporal Payload in proto JSON (metadata values and data base64)' });
const payloadsJson = z.strictObject({ payloads: z.array(payloadJson).max(10_000) });

type PayloadJson = z.infer<typeof payloadJson>;

const fromJson = ({ metadata, data }: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});
const toJson = ({ metadata, data }: Payload): PayloadJson => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
});

/**
 * Temporal's remote codec protocol (the Web UI's "codec endpoint", the CLI's `--codec-endpoint`):
 * `POST /codec/decode` and `/codec/encode` with `{payloads: [...]}` in proto JSON, answered with the
 * same shape. It runs the service's own codecs, so it decodes exactly what its clients and workers
 * write. The caller needs an application key (see `codecAuth`); the UI's origin gets CORS.
 */
export function codecRouter(ctx: Pick<Infrastructure, 'temporal'>): ApiRouter {
  const codecs = ctx.temporal.options.loadedDataConverter.payloadCodecs;
  const errors = { 400: 'Not payloads, or a payload this key cannot decode' };
  return new ApiRouter('/codec', 'Operations')
    .route(
      {
        method: 'post',
        path: '/decode',
        summary: 'Decrypt Temporal payloads (remote codec protocol: the Temporal Web UI and CLI)',
        body: payloadsJson,
        response: payloadsJson,
        errors,
      },
      ({ body }) => convert(body.payloads, [...codecs].reverse(), 'decode'),
    )
    .route(
      {
        method: 'post',
        path: '/encode',
        summary: 'Encrypt Temporal payloads (remote codec protocol: input the Temporal UI or CLI sends to a workflow)',
        body: payloadsJson,
        response: payloadsJson,
        errors,
      },
      ({ body }) => convert(body.payloads, codecs, 'encode'),
    );
}

async function convert(
  payloads: PayloadJson[],
  codecs: readonly PayloadCodec[],
  direction: 'decode' | 'encode',
): Promise<z.infer<typeof payloadsJson>> {
  let out = payloads.map(fromJson);
  try {
    for (const codec of codecs) out = await codec[direction](out);
  } catch (err) {
    if (err instanceof ValueError)
      throw AppError.badRequest('payload_undecodable', 'Payload cannot be decoded', err.message);
    throw err;
  }
  return { payloads: out.map(toJson) };
}

/**
 * The codec routes' guard, before their body is parsed: an application key as the X-App-Id and
 * X-App-Token headers (the CLI's `--codec-header`), or as `Authorization: Bearer <app id>:<token>`
 * for tools that can only set that header (the CLI's `--codec-auth`, an auth proxy in front of the UI).
 */
export function codecAuth(authenticate: RequestHandler): RequestHandler[] {
  const bearerAsAppKey: RequestHandler = (req, _res, next) => {
    const bearer = /^Bearer\s+([^:\s]+):(\S+)$/i.exec(req.get('authorization') ?? '');
    if (bearer && !req.get('x-app-id') && !req.get('x-app-token')) {
      req.headers['x-app-id'] = bearer[1];
      req.headers['x-app-token'] = bearer[2];
    }
    next();
  };
  return [bearerAsAppKey, authenticate, express.json({ limit: CODEC_BODY_LIMIT })];
}
