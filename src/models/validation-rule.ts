import { Schema, type Connection, type Model } from 'mongoose';

/** A numbered set of conditions plus a boolean `logic` over their numbers (Voucherify's shape). */
const validationRuleSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    /** `{ "1": {name, conditions, error?}, …, logic: "1 and 2" }`, validated on write. */
    rules: { type: Schema.Types.Mixed, required: true },
    error: Schema.Types.Mixed,
    applicable_to: Schema.Types.Mixed,
    type: { type: String, default: 'basic' },
    context_type: { type: String, default: 'global' },
    metadata: { type: Schema.Types.Mixed, default: {} },
  },
  {
    collection: 'validation_rules',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

export interface RuleCondition {
  name: string;
  conditions: Record<string, unknown[]>;
  error?: { message?: string };
}

export interface ValidationRuleDoc {
  _id: string;
  name: string;
  rules: Record<string, RuleCondition | string>;
  error?: { message?: string };
  applicable_to?: Record<string, unknown>;
  type: string;
  context_type: string;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** Ties a rule to a campaign, a voucher or a promotion tier. The unique object id makes it one rule per object. */
const assignmentSchema = new Schema(
  {
    _id: { type: String, required: true },
    rule_id: { type: String, required: true, index: true },
    related_object_type: { type: String, required: true, enum: ['campaign', 'voucher', 'promotion_tier'] },
    /** Campaign id (`camp_…`), voucher id (`v_…`) or tier id (`promo_…`); unique: one rule per object. */
    related_object_id: { type: String, required: true, unique: true },
  },
  {
    collection: 'validation_rule_assignments',
    versionKey: false,
    timestamps: { createdAt: 'created_at', updatedAt: false },
  },
);

export type AssignableObject = 'campaign' | 'voucher' | 'promotion_tier';

export interface ValidationRuleAssignmentDoc {
  _id: string;
  rule_id: string;
  related_object_type: AssignableObject;
  related_object_id: string;
  created_at: Date;
}

export type ValidationRuleModel = Model<ValidationRuleDoc>;
export type ValidationRuleAssignmentModel = Model<ValidationRuleAssignmentDoc>;

export function validationRuleModel(db: Connection): ValidationRuleModel {
  return (
    (db.models.ValidationRule as ValidationRuleModel | undefined) ??
    db.model<ValidationRuleDoc>('ValidationRule', validationRuleSchema)
  );
}

export function validationRuleAssignmentModel(db: Connection): ValidationRuleAssignmentModel {
  return (
    (db.models.ValidationRuleAssignment as ValidationRuleAssignmentModel | undefined) ??
    db.model<ValidationRuleAssignmentDoc>('ValidationRuleAssignment', assignmentSchema)
  );
}
