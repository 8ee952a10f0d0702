import {
  attainmentBasisPoints,
  decideSalesTargets,
  evolveSalesTargets,
  salesTargetsDecider,
  targetPeriodDays,
  targetsOf,
  type SalesTargetCommand,
  type SalesTargets,
} from './sales-targets';

const set = (period: string, targets: { owner?: string; team?: string; amount: number }[], currency = 'EUR'): SalesTargetCommand => ({
  type: 'SetSalesTargets',
  data: { period, currency, targets, setBy: 'mira', setAt: '2026-03-01T09:00:00.000Z' },
});
const apply = (state: SalesTargets, c: SalesTargetCommand) => decideSalesTargets(c, state).reduce(evolveSalesTargets, state);
const rule = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { rule?: string }).rule;
  }
  return undefined;
};

describe('sales targets', () => {
  it('periods are months or quarters with their first and last day', () => {
    expect(targetPeriodDays('2026-Q1')).toEqual({ start: '2026-01-01', end: '2026-03-31', kind: 'quarter' });
    expect(targetPeriodDays('2026-Q4')).toEqual({ start: '2026-10-01', end: '2026-12-31', kind: 'quarter' });
    expect(targetPeriodDays('2028-02')).toEqual({ start: '2028-02-01', end: '2028-02-29', kind: 'month' });
    for (const bad of ['2026-Q5', '2026-13', '2026-3', '2026Q1', '2026-00', 'Q1']) expect(rule(() => targetPeriodDays(bad))).toBe('target-period-format');
  });

  it('per owner or team and period; set again replaces; the same again records nothing', () => {
    let state: SalesTargets = salesTargetsDecider.initialState;
    state = apply(
      state,
      set('2026-Q1', [
        { owner: 'sari', amount: 5_000_000 },
        { team: 'jkt', amount: 20_000_000 },
        { owner: 'budi', amount: 0 },
      ]),
    );
    expect(targetsOf(state, '2026-Q1').map((t) => [t.scope, t.subject, t.amount])).toEqual([
      ['owner', 'budi', 0],
      ['owner', 'sari', 5_000_000],
      ['team', 'jkt', 20_000_000],
    ]);
    expect(decideSalesTargets(set('2026-Q1', [{ owner: 'sari', amount: 5_000_000 }]), state)).toEqual([]);
    const events = decideSalesTargets(
      set('2026-Q1', [
        { owner: 'sari', amount: 5_000_000 },
        { owner: 'budi', amount: 1 },
      ]),
      state,
    );
    expect(events[0].data.targets).toEqual([{ owner: 'budi', amount: 1 }]);
    // another currency is a change too
    expect(decideSalesTargets(set('2026-Q1', [{ owner: 'sari', amount: 5_000_000 }], 'USD'), state)).toHaveLength(1);
    expect(targetsOf(state, '2026-Q2')).toEqual([]);
  });

  it.each([
    [set('2026-Q1', [{ owner: 'a', team: 'b', amount: 1 }]), 'owner-or-team'],
    [set('2026-Q1', [{ amount: 1 }]), 'owner-or-team'],
    [set('2026-Q1', [{ owner: 'a', amount: -1 }]), 'amount-minor-units'],
    [set('2026-Q1', [{ owner: 'a', amount: 1.5 }]), 'amount-minor-units'],
    [
      set('2026-Q1', [
        { owner: 'a', amount: 1 },
        { owner: 'a', amount: 2 },
      ]),
      'targets-unique',
    ],
    [set('2026-Q1', []), 'targets-needed'],
    [set('2026-Q1', [{ owner: 'a', amount: 1 }], 'EURO'), 'unknown-currency'],
    [set('2026-W09', [{ owner: 'a', amount: 1 }]), 'target-period-format'],
  ])('refuses case %#', (command, expected) => {
    expect(rule(() => decideSalesTargets(command, salesTargetsDecider.initialState))).toBe(expected);
  });

  it('attainment in basis points, rounded half up; none for a target of nothing', () => {
    expect(attainmentBasisPoints(2_500_000, 5_000_000)).toBe(5_000);
    expect(attainmentBasisPoints(7_500_000, 5_000_000)).toBe(15_000);
    expect(attainmentBasisPoints(1, 3)).toBe(3_333);
    expect(attainmentBasisPoints(2, 3)).toBe(6_667);
    expect(attainmentBasisPoints(1, 20_000)).toBe(1); // 0.5 bp rounds up
    expect(attainmentBasisPoints(0, 5)).toBe(0);
    expect(attainmentBasisPoints(5, 0)).toBeNull();
  });
});
