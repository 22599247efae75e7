import { z } from 'zod';
import { metadataInput } from '../../customers/customer-input';
import { ApiRouter } from '../../http/api-router';
import { boundedRecord } from '../../metadata/metadata-bounds';
import {
  toAssignmentJson,
  toValidationRuleJson,
  type ValidationRuleService,
} from '../../validation-rules/validation-rule-service';
import { pagingQuery } from '../list-query';

const ruleBody = z.object({
  name: z.string().min(1).max(200),
  rules: boundedRecord(z.string(), 'rules').describe('`{"1": {name, conditions, error?}, …, "logic": "1 and 2"}`'),
  error: z.object({ message: z.string().max(1000).optional() }).optional(),
  applicable_to: boundedRecord(z.string(), 'applicable_to').optional(),
  type: z.enum(['basic', 'advanced', 'complex', 'expression']).optional(),
  context_type: z.string().max(100).optional(),
  metadata: metadataInput.optional(),
});
const assignmentBody = z.object({
  related_object_type: z.enum(['campaign', 'voucher', 'promotion_tier']).optional(),
  related_object_id: z.string().min(1).optional(),
  campaign: z.string().min(1).optional().describe('SDK shape: campaign id or name'),
  voucher: z.string().min(1).optional().describe('SDK shape: voucher code'),
  promotion_tier: z.string().min(1).optional().describe('SDK shape: promotion tier id'),
});
const idParams = z.strictObject({ id: z.string().min(1) });
const ruleJson = z.object({ id: z.string(), object: z.literal('validation_rules') }).catchall(z.unknown());
const assignmentJson = z
  .object({ id: z.string(), object: z.literal('validation_rules_assignment') })
  .catchall(z.unknown());

export function validationRulesRouter({ validationRules }: { validationRules: ValidationRuleService }): ApiRouter {
  return new ApiRouter('/v1/validation-rules', 'Validation rules')
    .route(
      { method: 'post', path: '/', summary: 'Create a validation rule', body: ruleBody, response: ruleJson },
      async ({ body }) => toValidationRuleJson(await validationRules.create(body), 0),
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List validation rules',
        query: z.strictObject(pagingQuery),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(ruleJson),
          total: z.number(),
        }),
      },
      async ({ query }) => {
        const { rules, total } = await validationRules.list(query.limit, query.page);
        return {
          object: 'list' as const,
          data_ref: 'data' as const,
          data: rules.map((r) => toValidationRuleJson(r)),
          total,
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a validation rule',
        params: idParams,
        response: ruleJson,
        errors: { 404: 'No such rule' },
      },
      async ({ params }) =>
        toValidationRuleJson(await validationRules.get(params.id), await validationRules.assignmentCount(params.id)),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        summary: 'Delete a validation rule and its assignments',
        params: idParams,
        status: 204,
        errors: { 404: 'No such rule' },
      },
      async ({ params }) => {
        await validationRules.delete(params.id);
      },
    )
    .route(
      {
        method: 'post',
        path: '/:id/assignments',
        summary: 'Assign the rule to a campaign, voucher or promotion tier (one rule per object; force=true replaces)',
        params: idParams,
        query: z.strictObject({ force: z.enum(['true', 'false']).optional() }),
        body: assignmentBody,
        response: assignmentJson,
        errors: {
          404: 'No such rule, campaign, voucher or promotion tier',
          400: 'Invalid request, or duplicate_found when the object already has another rule',
        },
      },
      async ({ params, query, body }) =>
        toAssignmentJson(await validationRules.assign(params.id, body, query.force === 'true')),
    )
    .route(
      {
        method: 'get',
        path: '/:id/assignments',
        summary: "List a rule's assignments",
        params: idParams,
        errors: { 404: 'No such rule' },
      },
      async ({ params }) => {
        const data = (await validationRules.listAssignments(params.id)).map(toAssignmentJson);
        return { object: 'list' as const, data_ref: 'data' as const, data, total: data.length };
      },
    )
    .route(
      {
        method: 'delete',
        path: '/:id/assignments/:assignmentId',
        summary: 'Remove an assignment',
        params: z.strictObject({ id: z.string().min(1), assignmentId: z.string().min(1) }),
        status: 204,
        errors: { 404: 'No such rule or assignment' },
      },
      async ({ params }) => {
        await validationRules.deleteAssignment(params.id, params.assignmentId);
      },
    );
}
