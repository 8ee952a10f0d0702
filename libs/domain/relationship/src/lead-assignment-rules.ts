import { DomainRuleViolation, type Decider, type LeadSource } from '@crm/kernel';

/**
 * Assignment rules: who a newly captured lead goes to. The rules are one ordered list, kept in one
 * stream (`lead-assignment-rules`) and replaced as a whole; the first rule whose conditions the lead
 * meets decides — a territory rule names its owner, a round-robin rule takes its team in turn. A lead
 * no rule matches stays unassigned. The capture records the rule that chose the owner.
 */

/** Conditions on a lead; all stated ones must hold (none stated: every lead). Values are matched case-insensitively. */
export interface LeadMatch {
  /** ISO 3166-1 alpha-2 codes ("ID", "SG"). */
  countries?: string[];
  /** The lead's `region` ("java-west"). */
  regions?: string[];
  /** The domain of the lead's e-mail address ("sinar.example"; a subdomain matches too). */
  emailDomains?: string[];
  sources?: LeadSource[];
}

export interface LeadAssignmentRule {
  /** Names the rule in every assignment it makes ("apac-territory"). */
  ruleId: string;
  match?: LeadMatch;
  /** Territory: this staff user gets every lead the rule matches. */
  owner?: string;
  /** Round robin: these staff users, one after the other. */
  team?: string[];
}

export type LeadAssignmentRulesEvent = {
  type: 'LeadAssignmentRulesReplaced';
  data: { rules: LeadAssignmentRule[]; replacedBy: string; replacedAt: string };
};

export type LeadAssignmentRulesCommand = {
  type: 'ReplaceLeadAssignmentRules';
  data: { rules: LeadAssignmentRule[]; replacedBy: string; replacedAt: string };
};

export interface LeadAssignmentRules {
  readonly rules: readonly LeadAssignmentRule[];
  readonly replacedBy?: string;
  readonly replacedAt?: string;
}

export const LEAD_ASSIGNMENT_RULES_STREAM = 'lead-assignment-rules';
export const MAX_ASSIGNMENT_RULES = 100;

export const noAssignmentRules: LeadAssignmentRules = { rules: [] };

export function evolveLeadAssignmentRules(_state: LeadAssignmentRules, event: LeadAssignmentRulesEvent): LeadAssignmentRules {
  return { rules: event.data.rules, replacedBy: event.data.replacedBy, replacedAt: event.data.replacedAt };
}

const normalised = (rules: readonly LeadAssignmentRule[]) => JSON.stringify(rules);

export function decideLeadAssignmentRules(command: LeadAssignmentRulesCommand, state: LeadAssignmentRules): LeadAssignmentRulesEvent[] {
  const { rules } = command.data;
  if (rules.length > MAX_ASSIGNMENT_RULES) throw new DomainRuleViolation('too-many-assignment-rules', `at most ${MAX_ASSIGNMENT_RULES} assignment rules`);
  const ids = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    if (ids.has(rule.ruleId)) throw new DomainRuleViolation('assignment-rule-ids-unique', `rule ${i}: ${rule.ruleId} names an earlier rule too`);
    ids.add(rule.ruleId);
    const hasOwner = rule.owner !== undefined;
    const hasTeam = rule.team !== undefined;
    if (hasOwner === hasTeam) throw new DomainRuleViolation('assignment-rule-needs-one-assignee', `rule ${rule.ruleId}: give either an owner or a team`);
    if (hasTeam && rule.team!.length === 0) throw new DomainRuleViolation('round-robin-needs-team', `rule ${rule.ruleId}: a round robin needs a team`);
    if (hasTeam && new Set(rule.team).size !== rule.team!.length)
      throw new DomainRuleViolation('round-robin-team-unique', `rule ${rule.ruleId}: a team member is listed twice`);
    // A rule after one that matches every lead could never apply.
    if (i < rules.length - 1 && matchesEverything(rule.match))
      throw new DomainRuleViolation('assignment-rule-unreachable', `rule ${rule.ruleId} matches every lead, so the rules after it would never apply`);
  }
  if (normalised(rules) === normalised(state.rules)) return []; // the same list again
  return [{ type: 'LeadAssignmentRulesReplaced', data: command.data }];
}

export const leadAssignmentRulesDecider: Decider<LeadAssignmentRules, LeadAssignmentRulesCommand, LeadAssignmentRulesEvent> = {
  decide: decideLeadAssignmentRules,
  evolve: evolveLeadAssignmentRules,
  initialState: noAssignmentRules,
};

function matchesEverything(match: LeadMatch | undefined): boolean {
  return !match || Object.values(match).every((values) => values === undefined);
}

/** What the rules look at of a lead. */
export interface RoutableLead {
  source: LeadSource;
  email?: string;
  country?: string;
  region?: string;
}

const lower = (values: readonly string[]) => values.map((v) => v.toLowerCase());

export function leadMatches(match: LeadMatch | undefined, lead: RoutableLead): boolean {
  if (!match) return true;
  if (match.countries && !(lead.country && lower(match.countries).includes(lead.country.toLowerCase()))) return false;
  if (match.regions && !(lead.region && lower(match.regions).includes(lead.region.toLowerCase()))) return false;
  if (match.sources && !match.sources.includes(lead.source)) return false;
  if (match.emailDomains) {
    const domain = lead.email?.split('@').pop()?.toLowerCase();
    if (!domain || !lower(match.emailDomains).some((d) => domain === d || domain.endsWith(`.${d}`))) return false;
  }
  return true;
}

/** The rule that applies to a lead: the first whose conditions it meets (undefined: none, the lead stays unassigned). */
export function applicableRule(rules: readonly LeadAssignmentRule[], lead: RoutableLead): LeadAssignmentRule | undefined {
  return rules.find((rule) => leadMatches(rule.match, lead));
}

/**
 * The owner a rule gives a lead: its owner, or for a round robin the team member whose turn it is
 * (`turn` counts the leads the rule assigned before: 0 → the first member).
 */
export function assigneeOf(rule: LeadAssignmentRule, turn: number): string {
  if (rule.owner !== undefined) return rule.owner;
  const team = rule.team ?? [];
  return team[((turn % team.length) + team.length) % team.length];
}
