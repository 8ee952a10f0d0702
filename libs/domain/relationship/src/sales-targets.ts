import { DomainRuleViolation, isCurrencyCode, type Decider } from '@crm/kernel';

/**
 * Sales targets (issue 10 §6): what an owner or a team is to win in a month (`2026-03`) or a quarter
 * (`2026-Q1`), in integer minor units of a currency. Sales managers set them; attainment compares
 * the wins of the period, converted to the target's currency, with the target. One private stream
 * (`sales-targets`), never published. A target set again for the same owner or team and period
 * replaces the earlier one; amount 0 is a target of nothing (kept, so attainment still lists it).
 */

export const SALES_TARGETS_STREAM = 'sales-targets';
export const MAX_TARGETS_PER_CHANGE = 500;
export const TARGET_PERIOD = /^(\d{4})-(0[1-9]|1[0-2]|Q[1-4])$/;

export interface SalesTargetInput {
  /** Exactly one of owner and team. */
  owner?: string;
  team?: string;
  /** Minor units of the change's currency. */
  amount: number;
}

export interface SalesTarget {
  period: string;
  scope: 'owner' | 'team';
  subject: string;
  currency: string;
  amount: number;
  setBy: string;
  setAt: string;
}

export type SalesTargetEvent = {
  type: 'SalesTargetsSet';
  data: { period: string; currency: string; targets: SalesTargetInput[]; setBy: string; setAt: string };
};
export type SalesTargetCommand = { type: 'SetSalesTargets'; data: SalesTargetEvent['data'] };

/** By `period scope subject`. */
export type SalesTargets = ReadonlyMap<string, SalesTarget>;

const keyOf = (period: string, scope: string, subject: string) => `${period} ${scope} ${subject}`;

/** The first and last day of a target period: `2026-Q1` is 2026-01-01 … 2026-03-31. */
export function targetPeriodDays(period: string): { start: string; end: string; kind: 'month' | 'quarter' } {
  const m = TARGET_PERIOD.exec(period);
  if (!m) throw new DomainRuleViolation('target-period-format', 'a target period is a month (2026-03) or a quarter (2026-Q1)');
  const year = Number(m[1]);
  const quarter = m[2].startsWith('Q');
  const first = quarter ? (Number(m[2].slice(1)) - 1) * 3 + 1 : Number(m[2]);
  const months = quarter ? 3 : 1;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { start: day(new Date(Date.UTC(year, first - 1, 1))), end: day(new Date(Date.UTC(year, first - 1 + months, 0))), kind: quarter ? 'quarter' : 'month' };
}

/** The targets of a period, owners first, then teams, by name. */
export function targetsOf(state: SalesTargets, period: string): SalesTarget[] {
  return [...state.values()].filter((t) => t.period === period).sort((a, b) => a.scope.localeCompare(b.scope) || a.subject.localeCompare(b.subject));
}

/** Attainment in basis points (10 000 = 100 %), rounded half up; null for a target of nothing. */
export function attainmentBasisPoints(won: bigint | number, target: bigint | number): number | null {
  const t = BigInt(target);
  if (t === 0n) return null;
  const w = BigInt(won);
  return Number((w * 10_000n * 2n + t) / (2n * t));
}

export function evolveSalesTargets(state: SalesTargets, event: SalesTargetEvent): SalesTargets {
  const next = new Map(state);
  const d = event.data;
  for (const t of d.targets) {
    const scope = t.owner !== undefined ? 'owner' : 'team';
    const subject = (t.owner ?? t.team)!;
    next.set(keyOf(d.period, scope, subject), { period: d.period, scope, subject, currency: d.currency, amount: t.amount, setBy: d.setBy, setAt: d.setAt });
  }
  return next;
}

export function decideSalesTargets(command: SalesTargetCommand, state: SalesTargets): SalesTargetEvent[] {
  const d = command.data;
  targetPeriodDays(d.period);
  if (!isCurrencyCode(d.currency)) throw new DomainRuleViolation('unknown-currency', `${d.currency} is not an ISO 4217 currency`);
  if (d.targets.length === 0) throw new DomainRuleViolation('targets-needed', 'at least one target');
  if (d.targets.length > MAX_TARGETS_PER_CHANGE) throw new DomainRuleViolation('too-many-targets', `at most ${MAX_TARGETS_PER_CHANGE} targets at once`);
  const seen = new Set<string>();
  for (const [i, t] of d.targets.entries()) {
    if ((t.owner === undefined) === (t.team === undefined)) throw new DomainRuleViolation('owner-or-team', `target ${i}: exactly one of owner and team`);
    if (!Number.isSafeInteger(t.amount) || t.amount < 0)
      throw new DomainRuleViolation('amount-minor-units', `target ${i}: an amount is whole minor units, 0 or more`);
    const key = keyOf(d.period, t.owner !== undefined ? 'owner' : 'team', (t.owner ?? t.team)!);
    if (seen.has(key)) throw new DomainRuleViolation('targets-unique', `target ${i}: ${t.owner ?? t.team} is given twice`);
    seen.add(key);
  }
  const changed = d.targets.filter((t) => {
    const before = state.get(keyOf(d.period, t.owner !== undefined ? 'owner' : 'team', (t.owner ?? t.team)!));
    return !before || before.amount !== t.amount || before.currency !== d.currency;
  });
  return changed.length ? [{ type: 'SalesTargetsSet', data: { ...d, targets: changed } }] : [];
}

export const salesTargetsDecider: Decider<SalesTargets, SalesTargetCommand, SalesTargetEvent> = {
  decide: decideSalesTargets,
  evolve: evolveSalesTargets,
  initialState: new Map(),
};
