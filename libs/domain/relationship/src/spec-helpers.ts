import { DomainRuleViolation } from '@crm/kernel';

/** For specs: the rule a call broke, or 'no violation'. Other errors propagate. */
export function violatedRule(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainRuleViolation) return e.rule;
    throw e;
  }
  return 'no violation';
}
