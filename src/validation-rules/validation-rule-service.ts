import { DomainError } from '../errors';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { newId } from '../ids';
import type { Models } from '../models';
import type { AssignableObject, ValidationRuleAssignmentDoc, ValidationRuleDoc } from '../models/validation-rule';
import { checkRules } from './rules';
import { findPage } from '../db/find-page';

export interface ValidationRuleInput {
  name: string;
  rules: Record<string, unknown>;
  error?: { message?: string };
  applicable_to?: Record<string, unknown>;
  type?: string;
  context_type?: string;
  metadata?: Record<string, unknown>;
}

export interface AssignmentInput {
  related_object_type?: string;
  related_object_id?: string;
  campaign?: string;
  voucher?: string;
  promotion_tier?: string;
}

/** Where a rule that applies to a redeemable was assigned: to the code / tier itself, or to its campaign. */
export type RuleScope = 'object' | 'campaign';

export class ValidationRuleService {
  constructor(private readonly models: Models) {}

  async create(input: ValidationRuleInput): Promise<ValidationRuleDoc> {
    assertRules(input.rules);
    const now = new Date();
    const doc: ValidationRuleDoc = {
      _id: newId('val'),
      name: input.name,
      rules: input.rules as ValidationRuleDoc['rules'],
      ...(input.error ? { error: input.error } : {}),
      ...(input.applicable_to ? { applicable_to: input.applicable_to } : {}),
      type: input.type ?? 'basic',
      context_type: input.context_type ?? 'global',
      metadata: input.metadata ?? {},
      created_at: now,
      updated_at: now,
    };
    await this.models.ValidationRule.create(doc);
    return doc;
  }

  async get(id: string): Promise<ValidationRuleDoc> {
    const doc = await this.models.ValidationRule.findById(id).lean();
    if (!doc) throw DomainError.notFound('validation_rules', id);
    return doc;
  }

  async list(limit: number, page: number): Promise<{ rules: ValidationRuleDoc[]; total: number }> {
    const { docs: rules, total } = await findPage(
      this.models.ValidationRule,
      {},
      { sort: { created_at: -1, _id: 1 }, page, limit },
    );
    return { rules, total };
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.models.ValidationRule.findByIdAndDelete(id).lean();
    if (!deleted) throw DomainError.notFound('validation_rules', id);
    await this.models.ValidationRuleAssignment.deleteMany({ rule_id: id });
  }

  async assignmentCount(ruleId: string): Promise<number> {
    return this.models.ValidationRuleAssignment.countDocuments({ rule_id: ruleId });
  }

  /**
   * Assigns a rule to a campaign (id or name), a voucher (code or id) or a promotion tier. One rule per
   * object: the unique `related_object_id` refuses a second one unless `force` replaces it;
   * assigning the same rule again returns the existing assignment.
   */
  async assign(ruleId: string, input: AssignmentInput, force = false): Promise<ValidationRuleAssignmentDoc> {
    await this.get(ruleId);
    const type =
      input.related_object_type ??
      (input.campaign ? 'campaign' : input.voucher ? 'voucher' : input.promotion_tier ? 'promotion_tier' : undefined);
    const ref = input.related_object_id ?? input.campaign ?? input.voucher ?? input.promotion_tier;
    if (!isAssignable(type) || !ref) {
      throw DomainError.invalid(
        'invalid_payload',
        'Invalid assignment',
        'give related_object_type (campaign|voucher|promotion_tier) and related_object_id, or campaign / voucher / promotion_tier',
      );
    }
    const objectId =
      type === 'campaign'
        ? await this.campaignId(ref)
        : type === 'voucher'
          ? await this.voucherId(ref)
          : await this.tierId(ref);
    const existing = await this.models.ValidationRuleAssignment.findOne({ related_object_id: objectId }).lean();
    if (existing) {
      if (existing.rule_id === ruleId) return existing;
      if (!force)
        throw DomainError.invalid(
          'duplicate_found',
          'Duplicate resource found',
          `${type} ${ref} already has validation rule ${existing.rule_id}; use force=true to replace it`,
        );
      await this.models.ValidationRuleAssignment.deleteOne({ _id: existing._id });
    }
    const doc: ValidationRuleAssignmentDoc = {
      _id: newId('asgm'),
      rule_id: ruleId,
      related_object_type: type,
      related_object_id: objectId,
      created_at: new Date(),
    };
    try {
      await this.models.ValidationRuleAssignment.create(doc);
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
      const raced = await this.models.ValidationRuleAssignment.findOne({ related_object_id: objectId }).lean();
      if (raced?.rule_id === ruleId) return raced;
      throw DomainError.invalid(
        'duplicate_found',
        'Duplicate resource found',
        `${type} ${ref} already has a validation rule`,
      );
    }
    return doc;
  }

  async listAssignments(ruleId: string): Promise<ValidationRuleAssignmentDoc[]> {
    await this.get(ruleId);
    return this.models.ValidationRuleAssignment.find({ rule_id: ruleId }).sort({ created_at: 1 }).lean();
  }

  async deleteAssignment(ruleId: string, assignmentId: string): Promise<void> {
    const res = await this.models.ValidationRuleAssignment.deleteOne({ _id: assignmentId, rule_id: ruleId });
    if (res.deletedCount === 0) throw DomainError.notFound('validation_rules_assignment', assignmentId);
  }

  /** The rules that apply to a voucher or promotion tier: its own assignment's and its campaign's, with where each came from. */
  async rulesFor(objectId: string, campaignId: string): Promise<Array<{ rule: ValidationRuleDoc; scope: RuleScope }>> {
    const assignments = await this.models.ValidationRuleAssignment.find({
      related_object_id: { $in: [campaignId, objectId] },
    }).lean();
    if (assignments.length === 0) return [];
    const rules = await this.models.ValidationRule.find({ _id: { $in: assignments.map((a) => a.rule_id) } }).lean();
    const byId = new Map(rules.map((r) => [r._id, r]));
    return assignments.flatMap((a) => {
      const rule = byId.get(a.rule_id);
      return rule
        ? [{ rule, scope: a.related_object_type === 'campaign' ? ('campaign' as const) : ('object' as const) }]
        : [];
    });
  }

  private async campaignId(ref: string): Promise<string> {
    const c =
      (await this.models.Campaign.findById(ref, { _id: 1 }).lean()) ??
      (await this.models.Campaign.findOne({ name: ref }, { _id: 1 }).lean());
    if (!c) throw DomainError.notFound('campaign', ref);
    return c._id;
  }

  /** The ids of `ruleIds` that name no rule, so a caller can refuse them before writing anything. */
  async missing(ruleIds: readonly string[]): Promise<string[]> {
    if (ruleIds.length === 0) return [];
    const found = await this.models.ValidationRule.find({ _id: { $in: [...ruleIds] } }, { _id: 1 }).lean();
    const known = new Set(found.map((r) => r._id));
    return ruleIds.filter((id) => !known.has(id));
  }

  private async tierId(ref: string): Promise<string> {
    const t = await this.models.PromotionTier.findById(ref, { _id: 1 }).lean();
    if (!t) throw DomainError.notFound('promotion_tier', ref);
    return t._id;
  }

  private async voucherId(ref: string): Promise<string> {
    const v =
      (await this.models.Voucher.findOne({ code: ref }, { _id: 1 }).lean()) ??
      (await this.models.Voucher.findById(ref, { _id: 1 }).lean());
    if (!v) throw DomainError.notFound('voucher', ref);
    return v._id;
  }
}

function isAssignable(type: string | undefined): type is AssignableObject {
  return type === 'campaign' || type === 'voucher' || type === 'promotion_tier';
}

export function assertRules(rules: Record<string, unknown>): void {
  const problems = checkRules(rules);
  if (problems.length > 0)
    throw DomainError.invalid('invalid_validation_rules', 'Invalid validation rules', problems.join('; '));
}

export function toValidationRuleJson(r: ValidationRuleDoc, assignmentsCount?: number) {
  return {
    id: r._id,
    name: r.name,
    rules: r.rules,
    error: r.error ?? null,
    applicable_to: r.applicable_to ?? { included: [], excluded: [], included_all: false },
    type: r.type,
    context_type: r.context_type,
    metadata: r.metadata ?? {},
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at?.toISOString() ?? null,
    ...(assignmentsCount !== undefined ? { assignments_count: assignmentsCount } : {}),
    object: 'validation_rules' as const,
  };
}

export function toAssignmentJson(a: ValidationRuleAssignmentDoc) {
  return {
    id: a._id,
    rule_id: a.rule_id,
    related_object_id: a.related_object_id,
    related_object_type: a.related_object_type,
    created_at: a.created_at.toISOString(),
    object: 'validation_rules_assignment' as const,
  };
}
