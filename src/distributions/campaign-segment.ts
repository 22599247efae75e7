import type { Models } from '../models';
import type { RuleCondition } from '../models/validation-rule';
import { parseLogic, type LogicNode } from '../validation-rules/logic';

/** The rule ids that must all hold for the logic to hold: the top-level AND chain. */
function requiredRefs(node: LogicNode): string[] {
  if (node.kind === 'ref') return [node.id];
  if (node.kind === 'and') return [...requiredRefs(node.left), ...requiredRefs(node.right)];
  return [];
}

/** The one segment a `customer.segment` rule admits, if it admits exactly one. */
function singleSegment(rule: RuleCondition): string | undefined {
  const admitted = new Set<string>();
  for (const op of ['$is', '$in'] as const) {
    const values = rule.conditions[op];
    if (!values) continue;
    // `$is: [a, b]` admits members of either: no single segment.
    if (values.length !== 1 || typeof values[0] !== 'string') return undefined;
    admitted.add(values[0]);
  }
  return admitted.size === 1 ? [...admitted][0] : undefined;
}

/**
 * The segment a campaign's validation rules restrict it to: a `customer.segment` rule with
 * `$is`/`$in` of one segment that the rule's logic requires (not one side of an OR).
 * Undefined when the campaign has no rule or its rule admits customers of other segments.
 */
export async function campaignSegment(models: Models, campaignId: string): Promise<string | undefined> {
  const assignment = await models.ValidationRuleAssignment.findOne({ related_object_id: campaignId }).lean();
  if (!assignment) return undefined;
  const doc = await models.ValidationRule.findById(assignment.rule_id).lean();
  if (!doc) return undefined;
  const numbered = Object.keys(doc.rules).filter((k) => k !== 'logic');
  const logic =
    typeof doc.rules.logic === 'string' && doc.rules.logic.trim() ? doc.rules.logic : numbered.join(' and ');
  let required: string[];
  try {
    required = requiredRefs(parseLogic(logic));
  } catch {
    return undefined;
  }
  const segments = new Set<string>();
  for (const ref of required) {
    const rule = doc.rules[ref];
    if (!rule || typeof rule === 'string' || rule.name !== 'customer.segment') continue;
    const segment = singleSegment(rule);
    if (segment) segments.add(segment);
  }
  return segments.size === 1 ? [...segments][0] : undefined;
}
