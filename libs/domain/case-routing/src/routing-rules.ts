import { DomainRuleViolation, type Decider } from '@crm/kernel';

/**
 * Routing rules: which skills, at which minimum level, a case of a category needs. One list, kept in
 * one stream (`case-routing-rules`) and replaced as a whole. A case whose category no rule names (or
 * that has none) needs no particular skill: any available agent of its team may take it. The
 * `CaseRoutingRulesReplaced` event is the service's own (it names no customer, so the relay does not
 * publish it).
 */

export interface RequiredSkill {
  skill: string;
  /** 1 … 5: the agent's level must be at least this. */
  minLevel: number;
}

export interface RoutingRule {
  category: string;
  skills: RequiredSkill[];
}

export interface RoutingRules {
  readonly rules: readonly RoutingRule[];
  readonly replacedBy?: string;
  readonly replacedAt?: string;
}

export type RoutingRulesEvent = { type: 'CaseRoutingRulesReplaced'; data: { rules: RoutingRule[]; replacedBy: string; replacedAt: string } };
export type RoutingRulesCommand = { type: 'ReplaceCaseRoutingRules'; data: { rules: RoutingRule[]; replacedBy: string; replacedAt: string } };

export const ROUTING_RULES_STREAM = 'case-routing-rules';
export const MAX_ROUTING_RULES = 200;
export const noRoutingRules: RoutingRules = { rules: [] };

export function evolveRoutingRules(state: RoutingRules, event: RoutingRulesEvent): RoutingRules {
  return event.type === 'CaseRoutingRulesReplaced' ? { rules: event.data.rules, replacedBy: event.data.replacedBy, replacedAt: event.data.replacedAt } : state;
}

const normalised = (rules: readonly RoutingRule[]) => JSON.stringify(rules.map((r) => [r.category, r.skills.map((s) => [s.skill, s.minLevel])]));

export function decideRoutingRules(command: RoutingRulesCommand, state: RoutingRules): RoutingRulesEvent[] {
  const { rules } = command.data;
  if (rules.length > MAX_ROUTING_RULES) throw new DomainRuleViolation('too-many-routing-rules', `at most ${MAX_ROUTING_RULES} routing rules`);
  const categories = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    if (categories.has(rule.category))
      throw new DomainRuleViolation('routing-rule-categories-unique', `rule ${i}: category ${rule.category} has a rule already`);
    categories.add(rule.category);
    if (new Set(rule.skills.map((s) => s.skill)).size !== rule.skills.length)
      throw new DomainRuleViolation('routing-rule-skills-unique', `rule ${i} (${rule.category}): a skill is listed twice`);
  }
  if (normalised(rules) === normalised(state.rules)) return []; // the same list again
  return [{ type: 'CaseRoutingRulesReplaced', data: command.data }];
}

/** The skills a case of `category` needs (none for no category, or one no rule names). */
export function requiredSkills(rules: readonly RoutingRule[], category: string | null | undefined): RequiredSkill[] {
  if (!category) return [];
  return rules.find((r) => r.category === category)?.skills ?? [];
}

export const routingRulesDecider: Decider<RoutingRules, RoutingRulesCommand, RoutingRulesEvent> = {
  decide: decideRoutingRules,
  evolve: evolveRoutingRules,
  initialState: noRoutingRules,
};
