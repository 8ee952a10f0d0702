import { DomainRuleViolation, NotFoundError, TestClock } from '@crm/kernel';
import {
  checkConditions,
  decideTrigger,
  lapseDueAt,
  nextAnniversary,
  ruleApplies,
  triggerDecisionEventId,
  triggerTimerId,
  isComplaintCategory,
  type FiringHistory,
  type TriggerSituation,
} from './trigger-decision';
import { triggerFiringsDecider, type TriggerFiringEvent, type TriggerFiringState } from './trigger-firings';
import { triggerRuleDecider, type TriggerRuleDefinition, type TriggerRuleEvent, type TriggerRuleState } from './trigger-rule';

const orderRule: TriggerRuleDefinition = {
  name: 'Thank big spenders',
  on: 'order-placed',
  conditions: { orderTotal: { min: 10_000, currency: 'EUR' } },
  delay: { amount: 2, unit: 'hours' },
  cooldown: { amount: 7, unit: 'days' },
  frequencyCap: { firings: 2, days: 30 },
  action: { campaignId: 'thank-you' },
};

const given = (events: TriggerRuleEvent[]): TriggerRuleState => events.reduce(triggerRuleDecider.evolve, triggerRuleDecider.initialState);
const definedData = (definition: TriggerRuleDefinition = orderRule) => ({
  ...definition,
  ruleId: 'r1',
  definedAt: '2026-05-01T10:00:00.000Z',
  definedBy: 'mira',
});
const defined = (definition: TriggerRuleDefinition = orderRule): TriggerRuleEvent => ({ type: 'TriggerRuleDefined', data: definedData(definition) });

describe('trigger rules (triggerrule-<id>)', () => {
  it('given nothing, when a rule is defined, then it is recorded and enabled', () => {
    const events = triggerRuleDecider.decide({ type: 'DefineTriggerRule', data: definedData() }, triggerRuleDecider.initialState);
    expect(events.map((e) => e.type)).toEqual(['TriggerRuleDefined']);
    expect(given(events)).toMatchObject({ enabled: true, version: 1, definition: { on: 'order-placed' } });
  });

  it('given a rule, when the same definition comes again, then nothing is recorded; another definition under its id is refused', () => {
    const state = given([defined()]);
    expect(triggerRuleDecider.decide({ type: 'DefineTriggerRule', data: definedData() }, state)).toEqual([]);
    expect(() => triggerRuleDecider.decide({ type: 'DefineTriggerRule', data: { ...definedData(), name: 'Other' } }, state)).toThrow(
      expect.objectContaining({ rule: 'trigger-rule-exists' }),
    );
  });

  it.each([
    ['a condition that does not fit the trigger', { ...orderRule, conditions: { segmentId: 'vip' } }, 'trigger-condition-not-applicable'],
    ['an order total with neither bound', { ...orderRule, conditions: { orderTotal: { currency: 'EUR' } } }, 'trigger-condition-empty'],
    ['an order total with min above max', { ...orderRule, conditions: { orderTotal: { min: 5, max: 4, currency: 'EUR' } } }, 'trigger-condition-empty'],
    ['a lapse rule without lapseDays', { ...orderRule, on: 'lapse', conditions: {} }, 'trigger-timer-settings'],
    ['lapseDays on an order rule', { ...orderRule, lapseDays: 30 }, 'trigger-timer-settings'],
    ['an anniversary rule without anniversaryOf', { ...orderRule, on: 'anniversary', conditions: {} }, 'trigger-timer-settings'],
    [
      'an active window that ends before it starts',
      { ...orderRule, activeFrom: '2026-06-01T00:00:00Z', activeUntil: '2026-05-01T00:00:00Z' },
      'trigger-active-window',
    ],
    ['a delay longer than ten years', { ...orderRule, delay: { amount: 3651, unit: 'days' } }, 'trigger-duration'],
  ] as [string, TriggerRuleDefinition, string][])('given nothing, when a rule with %s is defined, then it is refused', (_what, definition, rule) => {
    expect(() =>
      triggerRuleDecider.decide(
        { type: 'DefineTriggerRule', data: { ...definition, ruleId: 'r1', definedAt: 'x', definedBy: 'mira' } },
        triggerRuleDecider.initialState,
      ),
    ).toThrow(expect.objectContaining({ rule }));
  });

  it('given a rule, when it is revised, disabled and enabled, then each is recorded once, and its trigger does not change', () => {
    let state = given([defined()]);
    const revise = { ...orderRule, name: 'Thank bigger spenders', ruleId: 'r1', revisedAt: '2026-05-02T00:00:00Z', revisedBy: 'mira' };
    const revised = triggerRuleDecider.decide({ type: 'ReviseTriggerRule', data: revise }, state);
    expect(revised.map((e) => e.type)).toEqual(['TriggerRuleRevised']);
    state = revised.reduce(triggerRuleDecider.evolve, state);
    expect(triggerRuleDecider.decide({ type: 'ReviseTriggerRule', data: revise }, state)).toEqual([]);
    expect(() => triggerRuleDecider.decide({ type: 'ReviseTriggerRule', data: { ...revise, on: 'case-closed', conditions: {} } }, state)).toThrow(
      expect.objectContaining({ rule: 'trigger-on-fixed' }),
    );
    const off = { ruleId: 'r1', disabledAt: '2026-05-03T00:00:00Z', disabledBy: 'mira' };
    const disabled = triggerRuleDecider.decide({ type: 'DisableTriggerRule', data: off }, state);
    state = disabled.reduce(triggerRuleDecider.evolve, state);
    expect(state.enabled).toBe(false);
    expect(triggerRuleDecider.decide({ type: 'DisableTriggerRule', data: off }, state)).toEqual([]);
    const on = triggerRuleDecider.decide({ type: 'EnableTriggerRule', data: { ruleId: 'r1', enabledAt: '2026-05-04T00:00:00Z', enabledBy: 'mira' } }, state);
    expect(on.reduce(triggerRuleDecider.evolve, state)).toMatchObject({ enabled: true, version: 4 });
  });

  it('given no rule, when one is revised or disabled, then it is not found', () => {
    expect(() =>
      triggerRuleDecider.decide({ type: 'DisableTriggerRule', data: { ruleId: 'r9', disabledAt: 'x', disabledBy: 'm' } }, triggerRuleDecider.initialState),
    ).toThrow(NotFoundError);
  });
});

describe('conditions', () => {
  it('judges each given condition and says what it asked and what the fact was', () => {
    const checks = checkConditions(
      { orderTotal: { min: 100, max: 500, currency: 'EUR' }, products: ['p1', 'p2'], valueTiers: ['gold'] },
      { orderTotal: 300, currency: 'EUR', productIds: ['p3', 'p2'], valueTier: 'silver' },
    );
    expect(checks).toEqual([
      { condition: 'orderTotal', expected: '≥ 100 and ≤ 500 EUR', actual: '300 EUR', held: true },
      { condition: 'products', expected: 'any of p1, p2', actual: 'p3, p2', held: true },
      { condition: 'valueTiers', expected: 'one of gold', actual: 'silver', held: false },
    ]);
  });

  it('an order in another currency does not match an order total, whatever its amount', () => {
    expect(checkConditions({ orderTotal: { min: 1, currency: 'EUR' } }, { orderTotal: 99_999, currency: 'USD' })[0].held).toBe(false);
  });

  it('an order source condition: a distributor-reported sale starts the rule only when the rule names sell-through', () => {
    const held = (c: object, f: object) => checkConditions(c, f).every((x) => x.held);
    expect(held({ orderSources: ['api', 'quote'] }, { orderSource: 'sell-through' })).toBe(false);
    expect(held({ orderSources: ['api', 'sell-through'] }, { orderSource: 'sell-through' })).toBe(true);
    expect(held({}, { orderSource: 'sell-through' })).toBe(true);
    expect(checkConditions({ orderSources: ['quote'] }, { orderSource: 'api' })).toEqual([
      { condition: 'orderSources', expected: 'one of quote', actual: 'api', held: false },
    ]);
  });

  it('case category, priority and segment conditions', () => {
    const held = (c: object, f: object) => checkConditions(c, f).every((x) => x.held);
    expect(
      held({ caseCategories: ['complaint-delivery'], casePriorities: ['high', 'urgent'] }, { caseCategory: 'complaint-delivery', casePriority: 'urgent' }),
    ).toBe(true);
    expect(held({ casePriorities: ['high'] }, { casePriority: 'low' })).toBe(false);
    expect(held({ segmentId: 'lapsed-vips' }, { segmentId: 'lapsed-vips' })).toBe(true);
    expect(held({ segmentId: 'lapsed-vips' }, {})).toBe(false);
  });

  it('a complaint is a case whose category is complaint or complaint-<what>', () => {
    expect([isComplaintCategory('complaint'), isComplaintCategory('complaint-delivery'), isComplaintCategory('billing'), isComplaintCategory(null)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('deciding a firing (controllable clock)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const rule = { ruleId: 'r1', revision: 0, enabled: true, definition: orderRule };
  const empty: FiringHistory = { firings: [], decided: new Set(), scheduled: new Map() };
  const situation = (over: Partial<TriggerSituation> = {}): TriggerSituation => ({
    rule,
    timerId: 't1',
    cause: { eventId: 'e1', type: 'OrderPlaced', at: '2026-05-01T10:00:00.000Z' },
    facts: { orderTotal: 12_000, currency: 'EUR' },
    dueAt: '2026-05-01T12:00:00.000Z',
    now: clock.now().toISOString(),
    ...over,
  });

  it('given a matching order, when it is not due yet, then it is scheduled at the due time; scheduled again: nothing', () => {
    const decision = decideTrigger(situation(), empty);
    expect(decision).toMatchObject({ kind: 'schedule', dueAt: '2026-05-01T12:00:00.000Z' });
    expect(decideTrigger(situation(), { ...empty, scheduled: new Map([['t1', '2026-05-01T12:00:00.000Z']]) })).toEqual({
      kind: 'nothing',
      because: 'scheduled',
    });
  });

  it('given a scheduled firing, when the clock reaches its due time, then it fires with why; decided: never again', () => {
    clock.set('2026-05-01T12:00:00.000Z');
    const decision = decideTrigger(situation({ now: clock.now().toISOString() }), empty);
    expect(decision).toEqual({
      kind: 'fire',
      why: {
        conditions: [{ condition: 'orderTotal', expected: '≥ 10000 EUR', actual: '12000 EUR', held: true }],
        delayMinutes: 120,
        cooldown: { minutes: 10_080 },
        cap: { firings: 2, days: 30, firedInWindow: 0 },
      },
    });
    expect(decideTrigger(situation({ now: clock.now().toISOString() }), { ...empty, decided: new Set(['t1']) })).toEqual({
      kind: 'nothing',
      because: 'decided',
    });
  });

  it('given the rule fired for the customer 3 days ago, when another is due, then it is skipped for the cooldown, with until', () => {
    const now = '2026-05-04T12:00:00.000Z';
    const d = decideTrigger(situation({ now, dueAt: now }), { ...empty, firings: [{ ruleId: 'r1', firedAt: '2026-05-01T12:00:00.000Z' }] });
    expect(d).toMatchObject({
      kind: 'skip',
      reason: 'cooldown',
      why: { cooldown: { minutes: 10_080, lastFiredAt: '2026-05-01T12:00:00.000Z', until: '2026-05-08T12:00:00.000Z' } },
    });
    // After the cooldown it fires.
    expect(
      decideTrigger(situation({ now: '2026-05-08T12:00:00.000Z', dueAt: now }), { ...empty, firings: [{ ruleId: 'r1', firedAt: '2026-05-01T12:00:00.000Z' }] })
        .kind,
    ).toBe('fire');
  });

  it('given two firings of other rules in the cap window, when one is due, then it is skipped for the frequency cap; an older one does not count', () => {
    const now = '2026-05-20T12:00:00.000Z';
    const firings = [
      { ruleId: 'r2', firedAt: '2026-05-10T00:00:00.000Z' },
      { ruleId: 'r3', firedAt: '2026-05-15T00:00:00.000Z' },
    ];
    expect(decideTrigger(situation({ now, dueAt: now }), { ...empty, firings })).toMatchObject({
      kind: 'skip',
      reason: 'frequency-cap',
      why: { cap: { firedInWindow: 2 } },
    });
    expect(decideTrigger(situation({ now, dueAt: now }), { ...empty, firings: [{ ruleId: 'r2', firedAt: '2026-04-01T00:00:00.000Z' }, firings[1]] }).kind).toBe(
      'fire',
    );
  });

  it('given a lapse rule with an active window, then the window judges the timer’s due time, not the order it counts from', () => {
    const lapse = { ...rule, definition: { ...orderRule, on: 'lapse' as const, conditions: {}, lapseDays: 30, activeFrom: '2026-05-15T00:00:00.000Z' } };
    const s = situation({
      rule: lapse,
      cause: { eventId: 'e1', type: 'OrderPlaced', at: '2026-04-01T00:00:00.000Z' },
      dueAt: '2026-05-01T00:00:00.000Z',
      now: '2026-05-01T00:00:00.000Z',
    });
    expect(decideTrigger(s, empty)).toMatchObject({ kind: 'skip', reason: 'inactive' });
    expect(decideTrigger({ ...s, dueAt: '2026-05-16T00:00:00.000Z', now: '2026-05-16T00:00:00.000Z' }, empty).kind).toBe('fire');
  });

  it('given a disabled rule, a cause outside the active window, or a condition false, then it is skipped with that reason', () => {
    expect(decideTrigger(situation({ rule: { ...rule, enabled: false } }), empty)).toMatchObject({ kind: 'skip', reason: 'disabled' });
    expect(decideTrigger(situation({ rule: { ...rule, definition: { ...orderRule, activeUntil: '2026-05-01T09:00:00.000Z' } } }), empty)).toMatchObject({
      kind: 'skip',
      reason: 'inactive',
    });
    expect(decideTrigger(situation({ facts: { orderTotal: 9_999, currency: 'EUR' } }), empty)).toMatchObject({
      kind: 'skip',
      reason: 'condition-false',
      why: { conditions: [{ held: false, actual: '9999 EUR' }] },
    });
    expect(ruleApplies(rule, situation().cause.at, { orderTotal: 9_999, currency: 'EUR' })).toBe(false);
    expect(ruleApplies(rule, situation().cause.at, { orderTotal: 10_000, currency: 'EUR' })).toBe(true);
  });
});

describe('the customer firing stream (triggerfirings-<customerId>)', () => {
  const rule = { ruleId: 'r1', revision: 0, enabled: true, definition: orderRule };
  const run = (events: TriggerFiringEvent[], now: string, timerId = 't1', dueAt = '2026-05-01T12:00:00.000Z') => {
    const state: TriggerFiringState = events.reduce(triggerFiringsDecider.evolve, triggerFiringsDecider.initialState);
    return triggerFiringsDecider.decide(
      {
        type: 'DecideTrigger',
        data: {
          customerId: 'c1',
          rule,
          timerId,
          cause: { eventId: 'e1', type: 'OrderPlaced', at: '2026-05-01T10:00:00.000Z' },
          facts: { orderTotal: 12_000, currency: 'EUR' },
          dueAt,
          now,
        },
      },
      state,
    );
  };

  it('given nothing, when decided before and at the due time, then scheduled then fired, and a second decision records nothing', () => {
    const scheduled = run([], '2026-05-01T10:00:00.000Z');
    expect(scheduled).toEqual([
      expect.objectContaining({
        type: 'MarketingTriggerScheduled',
        data: expect.objectContaining({ dueAt: '2026-05-01T12:00:00.000Z', cause: expect.objectContaining({ eventId: 'e1' }) }),
      }),
    ]);
    expect(run(scheduled, '2026-05-01T11:00:00.000Z')).toEqual([]);
    const fired = run(scheduled, '2026-05-01T12:00:00.000Z');
    expect(fired).toEqual([
      expect.objectContaining({
        type: 'MarketingTriggerFired',
        data: expect.objectContaining({ ruleId: 'r1', ruleRevision: 0, action: { campaignId: 'thank-you' } }),
      }),
    ]);
    expect(run([...scheduled, ...fired], '2026-05-01T13:00:00.000Z')).toEqual([]);
    // A second order's timer within the cooldown: skipped with the reason.
    expect(run([...scheduled, ...fired], '2026-05-02T12:00:00.000Z', 't2', '2026-05-02T12:00:00.000Z')).toEqual([
      expect.objectContaining({ type: 'MarketingTriggerSkipped', data: expect.objectContaining({ reason: 'cooldown', timerId: 't2' }) }),
    ]);
  });
});

describe('timers', () => {
  it('a lapse is lapseDays after the last order', () => {
    expect(lapseDueAt('2026-05-01T10:00:00.000Z', 30)).toBe('2026-05-31T10:00:00.000Z');
  });

  it('the next anniversary is strictly after the instant, yearly; 29 February falls on the 28th in other years', () => {
    expect(nextAnniversary('2024-02-29T09:00:00.000Z', '2024-03-01T00:00:00.000Z')).toBe('2025-02-28T09:00:00.000Z');
    expect(nextAnniversary('2024-02-29T09:00:00.000Z', '2027-12-31T00:00:00.000Z')).toBe('2028-02-29T09:00:00.000Z');
    expect(nextAnniversary('2025-05-01T10:00:00.000Z', '2026-05-01T10:00:00.000Z')).toBe('2027-05-01T10:00:00.000Z');
  });

  it('timer and decision ids are derived: the same inputs give the same id, others another', () => {
    expect(triggerTimerId('r1', 'c1', 'order/o1')).toBe(triggerTimerId('r1', 'c1', 'order/o1'));
    expect(triggerTimerId('r1', 'c1', 'order/o2')).not.toBe(triggerTimerId('r1', 'c1', 'order/o1'));
    expect(triggerDecisionEventId('t1', 'scheduled')).not.toBe(triggerDecisionEventId('t1', 'decided'));
  });

  it('rule violations are domain rule violations', () => {
    expect(() =>
      triggerRuleDecider.decide(
        { type: 'DefineTriggerRule', data: { ...orderRule, lapseDays: 3, ruleId: 'r', definedAt: 'x', definedBy: 'y' } },
        triggerRuleDecider.initialState,
      ),
    ).toThrow(DomainRuleViolation);
  });
});
