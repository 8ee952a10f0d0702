import { DeciderSpecification } from '@crm/kernel/testing';
import { requiredSkills, routingRulesDecider, type RoutingRule, type RoutingRulesEvent } from './routing-rules';

const given = DeciderSpecification.for(routingRulesDecider);
const at = { replacedBy: 'lead', replacedAt: '2026-03-01T09:00:00.000Z' };
const billing: RoutingRule = { category: 'billing', skills: [{ skill: 'billing', minLevel: 3 }] };
const cameras: RoutingRule = {
  category: 'camera-repair',
  skills: [
    { skill: 'cameras', minLevel: 2 },
    { skill: 'returns', minLevel: 1 },
  ],
};
const replaced = (rules: RoutingRule[]): RoutingRulesEvent => ({ type: 'CaseRoutingRulesReplaced', data: { rules, ...at } });
const replace = (rules: RoutingRule[]) => ({ type: 'ReplaceCaseRoutingRules' as const, data: { rules, ...at } });

describe('routing rules', () => {
  it('are replaced as a whole; the same list again changes nothing', () => {
    given([])
      .when(replace([billing, cameras]))
      .then(replaced([billing, cameras]));
    given(replaced([billing, cameras]))
      .when(replace([billing, cameras]))
      .thenNothingHappens();
    given(replaced([billing]))
      .when(replace([]))
      .then(replaced([]));
  });

  it('refuse two rules for one category and a skill listed twice in a rule', () => {
    given([])
      .when(replace([billing, { ...billing, skills: [] }]))
      .thenBreaks('routing-rule-categories-unique');
    given([])
      .when(
        replace([
          {
            category: 'x',
            skills: [
              { skill: 'a', minLevel: 1 },
              { skill: 'a', minLevel: 2 },
            ],
          },
        ]),
      )
      .thenBreaks('routing-rule-skills-unique');
  });

  it('name the skills a category needs; none for no category or one without a rule', () => {
    expect(requiredSkills([billing, cameras], 'camera-repair')).toEqual(cameras.skills);
    expect(requiredSkills([billing, cameras], 'general')).toEqual([]);
    expect(requiredSkills([billing, cameras], null)).toEqual([]);
  });
});
