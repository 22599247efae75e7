import type { RuleCondition } from '../models/validation-rule';
import { evaluateLogic, logicRefs, LogicSyntaxError, parseLogic } from './logic';

/** What rules are evaluated against; counts exclude rolled-back redemptions. */
export interface RuleFacts {
  customerSegments: string[] | null;
  orderAmount: number | null;
  redemptionsOfCustomer: number;
  redemptionsTotal: number;
}

export type ViolationKey = 'customer_rules_violated' | 'order_rules_violated' | 'redemption_rules_violated';

/** Rule names we understand, with the operators each takes. */
const SUPPORTED: Record<string, string[]> = {
  'customer.segment': ['$is', '$is_not', '$in', '$not_in'],
  'order.amount': [
    '$is',
    '$is_not',
    '$more_than',
    '$less_than',
    '$more_than_equal',
    '$less_than_equal',
    '$more_than_or_equal',
    '$less_than_or_equal',
  ],
  'redemption.count.per_customer': [
    '$is',
    '$less_than',
    '$less_than_or_equal',
    '$less_than_equal',
    '$more_than',
    '$more_than_or_equal',
    '$more_than_equal',
  ],
  'redemption.count': [
    '$is',
    '$less_than',
    '$less_than_or_equal',
    '$less_than_equal',
    '$more_than',
    '$more_than_or_equal',
    '$more_than_equal',
  ],
};

/** Checks a rules object; returns the problems (empty = valid). */
export function checkRules(rules: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const numbered = Object.keys(rules).filter((k) => k !== 'logic');
  if (numbered.length === 0) problems.push('rules: at least one numbered rule is required');
  for (const key of numbered) {
    if (!/^[0-9]+$/.test(key)) {
      problems.push(`rules.${key}: rule keys are numbers`);
      continue;
    }
    const rule = rules[key] as Partial<RuleCondition> | undefined;
    if (!rule || typeof rule !== 'object' || typeof rule.name !== 'string') {
      problems.push(`rules.${key}.name: required`);
      continue;
    }
    const ops = SUPPORTED[rule.name];
    if (!ops) {
      problems.push(
        `rules.${key}.name: unsupported rule "${rule.name}" (supported: ${Object.keys(SUPPORTED).join(', ')})`,
      );
      continue;
    }
    const conditions = rule.conditions;
    if (!conditions || typeof conditions !== 'object' || Object.keys(conditions).length === 0) {
      problems.push(`rules.${key}.conditions: at least one condition is required`);
      continue;
    }
    for (const [op, values] of Object.entries(conditions)) {
      if (!ops.includes(op)) problems.push(`rules.${key}.conditions.${op}: unsupported for ${rule.name}`);
      else if (!Array.isArray(values) || values.length === 0)
        problems.push(`rules.${key}.conditions.${op}: a non-empty array is required`);
      else if (rule.name !== 'customer.segment' && values.some((v) => typeof v !== 'number'))
        problems.push(`rules.${key}.conditions.${op}: numbers expected`);
      else if (rule.name === 'customer.segment' && values.some((v) => typeof v !== 'string'))
        problems.push(`rules.${key}.conditions.${op}: segment ids expected`);
    }
  }
  const logic = rules.logic;
  if (logic !== undefined) {
    if (typeof logic !== 'string') problems.push('rules.logic: a string is required');
    else {
      try {
        for (const ref of logicRefs(parseLogic(logic)))
          if (!numbered.includes(ref)) problems.push(`rules.logic: refers to missing rule ${ref}`);
      } catch (err) {
        if (!(err instanceof LogicSyntaxError)) throw err;
        problems.push(`rules.logic: ${err.message}`);
      }
    }
  }
  return problems;
}

function compareAll(value: number, conditions: Record<string, unknown[]>): boolean {
  return Object.entries(conditions).every(([op, values]) => {
    const nums = values as number[];
    switch (op) {
      case '$is':
        return nums.includes(value);
      case '$is_not':
        return !nums.includes(value);
      case '$more_than':
        return value > nums[0]!;
      case '$less_than':
        return value < nums[0]!;
      case '$more_than_equal':
      case '$more_than_or_equal':
        return value >= nums[0]!;
      case '$less_than_equal':
      case '$less_than_or_equal':
        return value <= nums[0]!;
      default:
        return false;
    }
  });
}

/** Whether one numbered rule holds. */
export function ruleHolds(rule: RuleCondition, facts: RuleFacts): boolean {
  switch (rule.name) {
    case 'customer.segment': {
      const segments = facts.customerSegments;
      return Object.entries(rule.conditions).every(([op, ids]) => {
        const wanted = ids as string[];
        const inAny = segments !== null && wanted.some((id) => segments.includes(id));
        return op === '$is' || op === '$in' ? inAny : !inAny;
      });
    }
    case 'order.amount':
      return facts.orderAmount !== null && compareAll(facts.orderAmount, rule.conditions);
    case 'redemption.count.per_customer':
      // A redemption being checked is the (count + 1)-th: "less than or equal 1" = once per customer.
      return compareAll(facts.redemptionsOfCustomer + 1, rule.conditions);
    case 'redemption.count':
      return compareAll(facts.redemptionsTotal + 1, rule.conditions);
    default:
      return false;
  }
}

export function violationKey(ruleName: string): ViolationKey {
  if (ruleName.startsWith('customer.')) return 'customer_rules_violated';
  if (ruleName.startsWith('order.')) return 'order_rules_violated';
  return 'redemption_rules_violated';
}

export interface Violation {
  key: ViolationKey;
  /** The failing rule's number and name. */
  rule: string;
  name: string;
  message?: string;
}

/** Audience rules: who the customer is, not what they buy or how often they redeemed. */
export function isAudienceRule(ruleName: string): boolean {
  return violationKey(ruleName) === 'customer_rules_violated';
}

/**
 * Evaluates a rules object: `logic` over the numbered rules (all of them AND-ed when it is
 * absent). On failure, names the first failing rule the logic mentions, whose kind picks
 * the error key and whose `error.message` (else the whole rule's) is surfaced. Rules that
 * `considered` leaves out count as met (e.g. only the audience is asked about).
 */
export function evaluateRules(
  rules: Record<string, unknown>,
  facts: RuleFacts,
  ruleError?: { message?: string },
  considered: (ruleName: string) => boolean = () => true,
): Violation | null {
  const numbered = Object.keys(rules)
    .filter((k) => k !== 'logic')
    .sort((a, b) => Number(a) - Number(b));
  const logic = typeof rules.logic === 'string' && rules.logic.trim() ? rules.logic : numbered.join(' and ');
  const tree = parseLogic(logic);
  const results = new Map<string, boolean>();
  const holds = (id: string) => {
    if (!results.has(id)) {
      const rule = rules[id] as RuleCondition | undefined;
      results.set(id, rule ? !considered(rule.name) || ruleHolds(rule, facts) : false);
    }
    return results.get(id)!;
  };
  if (evaluateLogic(tree, holds)) return null;
  const refs = logicRefs(tree);
  const failing = refs.find((id) => !holds(id)) ?? refs[0]!;
  const rule = rules[failing] as RuleCondition;
  return {
    key: violationKey(rule.name),
    rule: failing,
    name: rule.name,
    message: rule.error?.message ?? ruleError?.message,
  };
}
