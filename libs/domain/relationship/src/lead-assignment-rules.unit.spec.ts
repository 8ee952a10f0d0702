import { DeciderSpecification } from '@crm/kernel/testing';
import {
  applicableRule,
  assigneeOf,
  leadAssignmentRulesDecider,
  leadMatches,
  type LeadAssignmentRule,
  type LeadAssignmentRulesEvent,
} from './lead-assignment-rules';

const given = DeciderSpecification.for(leadAssignmentRulesDecider);
const at = { replacedBy: 'mira', replacedAt: '2026-03-01T09:00:00.000Z' };
const territory: LeadAssignmentRule = { ruleId: 'java', match: { countries: ['ID'], regions: ['java-west', 'java-east'] }, owner: 'sari' };
const sinar: LeadAssignmentRule = { ruleId: 'sinar-accounts', match: { emailDomains: ['sinar.example'] }, owner: 'budi' };
const roundRobin: LeadAssignmentRule = { ruleId: 'everyone-else', team: ['ani', 'dodi', 'rina'] };
const replaced = (rules: LeadAssignmentRule[]): LeadAssignmentRulesEvent => ({ type: 'LeadAssignmentRulesReplaced', data: { rules, ...at } });
const replace = (rules: LeadAssignmentRule[]) => ({ type: 'ReplaceLeadAssignmentRules' as const, data: { rules, ...at } });

describe('lead assignment rules decide', () => {
  it('replaces the list as a whole; the same list again changes nothing; an empty list turns assignment off', () => {
    given([])
      .when(replace([territory, roundRobin]))
      .then([replaced([territory, roundRobin])]);
    given([replaced([territory, roundRobin])])
      .when(replace([territory, roundRobin]))
      .thenNothingHappens();
    given([replaced([territory])])
      .when(replace([]))
      .then([replaced([])]);
  });

  it('refuses a rule without exactly one assignee, an empty or repeated team, repeated ids, and rules no lead could reach', () => {
    given([])
      .when(replace([{ ruleId: 'x', owner: 'a', team: ['b'] }]))
      .thenBreaks('assignment-rule-needs-one-assignee');
    given([])
      .when(replace([{ ruleId: 'x' }]))
      .thenBreaks('assignment-rule-needs-one-assignee');
    given([])
      .when(replace([{ ruleId: 'x', team: [] }]))
      .thenBreaks('round-robin-needs-team');
    given([])
      .when(replace([{ ruleId: 'x', team: ['a', 'a'] }]))
      .thenBreaks('round-robin-team-unique');
    given([])
      .when(replace([territory, { ...sinar, ruleId: 'java' }]))
      .thenBreaks('assignment-rule-ids-unique');
    given([])
      .when(replace([roundRobin, territory]))
      .thenBreaks('assignment-rule-unreachable');
    given([])
      .when(replace([{ ruleId: 'all', match: {}, owner: 'a' }, territory]))
      .thenBreaks('assignment-rule-unreachable');
  });
});

describe('lead routing', () => {
  const rules = [territory, sinar, roundRobin];
  it('takes the first rule whose conditions all hold (case ignored; a subdomain matches its domain)', () => {
    expect(applicableRule(rules, { source: 'web-form', country: 'id', region: 'Java-West', email: 'x@sinar.example' })?.ruleId).toBe('java');
    expect(applicableRule(rules, { source: 'web-form', country: 'ID', region: 'sumatra', email: 'x@mail.sinar.example' })?.ruleId).toBe('sinar-accounts');
    expect(applicableRule(rules, { source: 'web-form', country: 'ID', email: 'x@notsinar.example' })?.ruleId).toBe('everyone-else');
    expect(applicableRule([territory], { source: 'web-form', region: 'java-west' })).toBeUndefined(); // no country: the territory does not hold
    expect(leadMatches({ sources: ['event'] }, { source: 'web-form' })).toBe(false);
    expect(leadMatches({ emailDomains: ['sinar.example'] }, { source: 'phone' })).toBe(false);
  });

  it('gives a territory its owner, and a round robin its team in turn', () => {
    expect(assigneeOf(territory, 7)).toBe('sari');
    expect([0, 1, 2, 3, 4].map((turn) => assigneeOf(roundRobin, turn))).toEqual(['ani', 'dodi', 'rina', 'ani', 'dodi']);
  });
});
