import type { Response } from 'express';
import { z } from 'zod';
import type { Infrastructure } from '../../infrastructure';
import { findPage } from '../../db/find-page';
import {
  createDistributionBody,
  editDistributionBody,
  listDistributionsFilter,
  listMessagesFilter,
} from '../../distributions/distribution-input';
import {
  distributionJson,
  messageJson,
  toDistributionJson,
  toMessageJson,
} from '../../distributions/distribution-json';
import {
  distributionReport,
  distributionTotals,
  reportJson,
  totalsJson,
} from '../../distributions/distribution-report';
import type { OperatorAnswer, DistributionService } from '../../distributions/distribution-service';
import { ApiRouter } from '../../http/api-router';
import { escapeRegExp, pagingQuery } from '../list-query';

const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).optional();

const listJson = <T extends z.ZodType>(item: T) =>
  z.object({
    object: z.literal('list'),
    data_ref: z.literal('data'),
    data: z.array(item),
    total: z.number(),
    has_more: z.boolean(),
  });

const notFound = { 404: 'No such distribution' };

const pendingJson = (flag: string) => distributionJson.and(z.object({ [flag]: z.literal(true) }));

/** 200 with what the workflow recorded, or 202 with the flag when it has not yet. */
function answer(
  res: Response,
  { distribution, acknowledged }: OperatorAnswer,
  flag: 'cancel_requested' | 'send_now_requested' | 'resume_requested',
) {
  const json = toDistributionJson(distribution);
  if (acknowledged) return json;
  res.status(202).json({ ...json, [flag]: true });
  return undefined;
}

/** Distributions: manual ones are driven by their workflow; automatic ones fire on events while active. */
export function distributionsRouter({
  distributions,
  models,
}: Pick<Infrastructure, 'models'> & { distributions: DistributionService }): ApiRouter {
  return new ApiRouter('/v1/distributions', 'Distributions')
    .route(
      {
        method: 'post',
        path: '/',
        summary: 'Create a distribution (a manual one starts its workflow; an automatic one is active at once)',
        body: createDistributionBody,
        response: distributionJson,
      },
      async ({ body }) => toDistributionJson(await distributions.create(body)),
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: "List distributions, newest first, each with its message counts (`totals`, as its report's)",
        query: z.strictObject({
          ...pagingQuery,
          ...listDistributionsFilter,
          name: z.string().trim().min(1).max(200).optional().describe('Names containing this text, case-insensitive'),
        }),
        response: listJson(distributionJson.extend({ totals: totalsJson })),
      },
      async ({ query }) => {
        const filter = {
          ...(query.status ? { status: query.status } : {}),
          ...(query.trigger ? { 'trigger.type': query.trigger } : {}),
          // Escaped: the text is matched literally, so no pattern from the query runs.
          ...(query.name ? { name: { $regex: escapeRegExp(query.name), $options: 'i' } } : {}),
        };
        const { docs, total, has_more } = await findPage(models.Distribution, filter, {
          sort: { created_at: -1, _id: -1 },
          page: query.page,
          limit: query.limit,
        });
        const totals = await distributionTotals(
          models,
          docs.map((d) => d._id),
        );
        return {
          object: 'list' as const,
          data_ref: 'data' as const,
          data: docs.map((d) => ({ ...toDistributionJson(d), totals: totals.get(d._id)! })),
          total,
          has_more,
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: "Get a distribution, with its workflow's progress while a manual one runs",
        params: idParams,
        response: distributionJson,
        errors: notFound,
      },
      async ({ params }) => {
        const d = await distributions.get(params.id);
        return toDistributionJson(d, await distributions.progress(d));
      },
    )
    .route(
      {
        method: 'put',
        path: '/:id',
        summary: 'Edit name, audience, consents or channels (manual: only before sending starts)',
        params: idParams,
        body: editDistributionBody,
        response: distributionJson,
        errors: { ...notFound, 409: 'Already sending, finished, or changed meanwhile' },
      },
      async ({ params, body }) => toDistributionJson(await distributions.edit(params.id, body)),
    )
    .route(
      {
        method: 'post',
        path: '/:id/cancel',
        summary:
          'Cancel. 200 with the distribution once its workflow recorded `cancelled` (a cancel while sending stops the batches in flight at their next few sends); ' +
          '202 with `cancel_requested: true` when the workflow did not record it within 5 s (it will)',
        params: idParams,
        body: cancelBody,
        response: distributionJson,
        alsoAnswers: {
          202: {
            description: 'Cancel requested; the workflow has not recorded it yet',
            response: pendingJson('cancel_requested'),
          },
        },
        errors: { ...notFound, 409: 'Already finished' },
      },
      async ({ params, body, res }) =>
        answer(res, await distributions.cancel(params.id, body?.reason), 'cancel_requested'),
    )
    .route(
      {
        method: 'post',
        path: '/:id/send_now',
        summary:
          'End the grace period of a manual distribution now. 200 with the distribution once its workflow started sending (or ended); ' +
          '202 with `send_now_requested: true` when it has not within 5 s (e.g. its audience is still syncing: it sends once synced)',
        params: idParams,
        response: distributionJson,
        alsoAnswers: {
          202: {
            description: 'Send now requested; the workflow has not started sending yet',
            response: pendingJson('send_now_requested'),
          },
        },
        errors: { ...notFound, 409: 'Not waiting or in its grace period' },
      },
      async ({ params, res }) => answer(res, await distributions.sendNow(params.id), 'send_now_requested'),
    )
    .route(
      {
        method: 'post',
        path: '/:id/pause',
        summary: 'Pause an automatic distribution: events are ignored until resumed',
        params: idParams,
        response: distributionJson,
        errors: { ...notFound, 409: 'Already finished' },
      },
      async ({ params }) => toDistributionJson(await distributions.pause(params.id)),
    )
    .route(
      {
        method: 'post',
        path: '/:id/resume',
        summary:
          'Resume: a paused automatic distribution becomes active; a manual one stopped for pool_exhausted (add codes first) delivers to exactly those skipped for pool_exhausted, then ends completed; ' +
          'an automatic one stopped for pool_exhausted becomes active again (events that came while it was stopped are not replayed). Within 30 days of the stop. 200 once it is sending (or active) again, 202 with `resume_requested: true` when its workflow has not confirmed within 5 s',
        params: idParams,
        response: distributionJson,
        alsoAnswers: {
          202: {
            description: 'Resume requested; the workflow has not confirmed yet',
            response: pendingJson('resume_requested'),
          },
        },
        errors: { ...notFound, 409: 'Not paused, or not stopped for pool_exhausted, or its workflow has ended' },
      },
      async ({ params, res }) => answer(res, await distributions.resume(params.id), 'resume_requested'),
    )
    .route(
      {
        method: 'get',
        path: '/:id/report',
        summary: 'Message counts per channel, status and reason',
        params: idParams,
        response: reportJson,
        errors: notFound,
      },
      async ({ params }) => distributionReport(models, await distributions.get(params.id)),
    )
    .route(
      {
        method: 'get',
        path: '/:id/messages',
        summary: "A distribution's message records",
        params: idParams,
        query: z.strictObject({ ...pagingQuery, ...listMessagesFilter }),
        response: listJson(messageJson),
        errors: notFound,
      },
      async ({ params, query }) => {
        const d = await distributions.get(params.id);
        const filter = {
          distribution_id: d._id,
          ...(query.status ? { status: query.status } : {}),
          ...(query.customer_id ? { customer_id: query.customer_id } : {}),
          ...(query.channel_type ? { channel_type: query.channel_type } : {}),
        };
        const { docs, total, has_more } = await findPage(models.DistributionMessage, filter, {
          sort: { created_at: -1, _id: -1 },
          page: query.page,
          limit: query.limit,
        });
        return { object: 'list' as const, data_ref: 'data' as const, data: docs.map(toMessageJson), total, has_more };
      },
    );
}
