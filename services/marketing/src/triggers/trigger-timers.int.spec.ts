import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { uuidV5 } from '@crm/kernel';
import { triggerTimerId } from '@crm/marketing-triggers';
import { TriggerTimerRow } from './trigger-timers.entities';
import { triggerTimersProjection, type TriggerTimersEvent } from './trigger-timers.projection';
import { dueTriggerTimers } from './trigger-queries';

// The due-timers table (issue 13 §4), given / when / then on a real projection runner: which
// customer events start which timers, how lapse and anniversary timers move and come back, and that
// a decision removes its timer.
describe('marketing.trigger-timers', () => {
  const given = ProjectionSpecification.for({ projection: triggerTimersProjection(), registry: crmRegistry() });
  // SegmentEntered is another part of the contract: not in this registry yet, so its cases run unchecked.
  const givenUnchecked = ProjectionSpecification.for({ projection: triggerTimersProjection() });
  const customerId = 'c1';
  /** Event ids are UUIDs: one per name. */
  const U = (name: string) => uuidV5(name, '1b671a64-40d5-491e-99b0-da01ff1f3341');
  const definedAt = '2026-01-01T00:00:00.000Z';
  const rule = (ruleId: string, definition: Record<string, unknown>): SpecEvent<TriggerTimersEvent> =>
    ({
      type: 'TriggerRuleDefined',
      data: { ruleId, action: { campaignId: 'offer' }, conditions: {}, definedAt, definedBy: 'mira', ...definition },
    }) as SpecEvent<TriggerTimersEvent>;
  const registered: SpecEvent<TriggerTimersEvent> = {
    type: 'CustomerRegistered',
    data: {
      customerId,
      kind: 'person',
      name: 'Sari',
      contacts: [],
      identities: [],
      journeyStage: 'prospect',
      relationshipPhase: 'awareness',
      registeredBy: 'marketing',
    },
    time: '2025-03-10T09:00:00.000Z',
  };
  const order = (id: string, orderDate: string, total: number, source = 'api'): SpecEvent<TriggerTimersEvent> => ({
    type: 'OrderPlaced',
    id: U(id),
    data: {
      orderId: `o-${id}`,
      customerId,
      orderDate,
      placedAt: orderDate,
      currency: 'EUR',
      lines: [{ lineId: '1', productId: 'van-1', quantity: 1, unitPrice: total, gross: total, discount: 0, tax: 0, total }],
      subtotal: total,
      discountTotal: 0,
      taxTotal: 0,
      total,
      source,
    },
  });
  const caseOpened: SpecEvent<TriggerTimersEvent> = {
    type: 'EpisodeOpened',
    data: {
      episodeId: 'e1',
      customerId,
      name: 'Late van',
      episodeType: 'case',
      owner: { kind: 'department', department: 'service' },
      openedAt: '2026-02-01T10:00:00.000Z',
      channel: 'phone',
    },
  };
  const details = (category: string, at = '2026-02-01T10:05:00.000Z'): SpecEvent<TriggerTimersEvent> => ({
    type: 'CaseDetailsChanged',
    id: U(`d-${category}-${at}`),
    data: { episodeId: 'e1', customerId, category, priority: 'high', changedAt: at, changedBy: 'dewi' },
  });

  it('an order that matches an order rule starts a timer due after the delay, looked at first at once; one that does not, or an import, none', async () => {
    await given([
      rule('r-order', { name: 'Big', on: 'order-placed', conditions: { orderTotal: { min: 10000, currency: 'EUR' } }, delay: { amount: 2, unit: 'hours' } }),
    ])
      .when([
        order('a', '2026-02-01T10:00:00.000Z', 12000),
        order('b', '2026-02-01T11:00:00.000Z', 500),
        order('c', '2026-02-01T12:00:00.000Z', 50000, 'import'),
      ])
      .thenRows(TriggerTimerRow, [
        {
          timerId: triggerTimerId('r-order', customerId, `event/${U('a')}`),
          ruleId: 'r-order',
          kind: 'event',
          dueAt: new Date('2026-02-01T12:00:00.000Z'),
          nextAt: new Date('2026-02-01T10:00:00.000Z'),
          scheduled: false,
          facts: { orderTotal: 12000, currency: 'EUR', productIds: ['van-1'], orderSource: 'api' },
        },
      ]);
  });

  it('a sale a distributor reported starts the rules that take every source or name sell-through, not those naming only the company’s own', async () => {
    // Sell-through orders are OrderPlaced version 2 and name the partner.
    const placed = order('s', '2026-02-01T10:00:00.000Z', 12000, 'sell-through');
    const sellThrough = { ...placed, schemaversion: 2, data: { ...placed.data, partnerId: 'p-distributor' } } as unknown as SpecEvent<TriggerTimersEvent>;
    await given([
      rule('r-any', { name: 'Any', on: 'order-placed' }),
      rule('r-own', { name: 'Own', on: 'order-placed', conditions: { orderSources: ['api', 'quote'] } }),
      rule('r-channel', { name: 'Channel', on: 'order-placed', conditions: { orderSources: ['sell-through'] } }),
    ])
      .when([sellThrough])
      .thenRows(TriggerTimerRow, [
        { ruleId: 'r-any', facts: { orderTotal: 12000, currency: 'EUR', productIds: ['van-1'], orderSource: 'sell-through' } },
        { ruleId: 'r-channel', facts: { orderTotal: 12000, currency: 'EUR', productIds: ['van-1'], orderSource: 'sell-through' } },
      ]);
  });

  it('a rule that reaches the read model after orders placed after its definition (another key on the bus) starts their timers then; not for an order before it, nor twice', async () => {
    // definedAt is 2026-01-01: order a after it, order z before it (2025), order b after it but below the rule's minimum.
    const big = rule('r-late', { name: 'Big', on: 'order-placed', conditions: { orderTotal: { min: 10000, currency: 'EUR' } } });
    const timer = (id: string) => ({ timerId: triggerTimerId('r-late', customerId, `event/${U(id)}`), ruleId: 'r-late', kind: 'event' });
    await given([order('z', '2025-12-31T23:00:00.000Z', 20000), order('a', '2026-01-02T10:00:00.000Z', 12000), order('b', '2026-01-02T11:00:00.000Z', 500)])
      .when([big])
      .thenRows(TriggerTimerRow, [timer('a')]);
    // In the usual order (the rule first), the same one timer.
    await given([big, order('a', '2026-01-02T10:00:00.000Z', 12000)])
      .when([order('b', '2026-01-02T11:00:00.000Z', 500)])
      .thenRows(TriggerTimerRow, [timer('a')]);
    // A cause older than the catch-up window (a day before the newest cause) is gone: the late rule cannot start it.
    await given([order('a', '2026-01-02T10:00:00.000Z', 12000), order('c', '2026-01-04T10:00:00.000Z', 15000)])
      .when([big])
      .thenRows(TriggerTimerRow, [timer('c')]);
  });

  it('a scheduled timer is next looked at when due; a decision removes it', async () => {
    const timerId = triggerTimerId('r-order', customerId, `event/${U('a')}`);
    const base = {
      customerId,
      ruleId: 'r-order',
      ruleRevision: 0,
      on: 'order-placed',
      timerId,
      cause: { eventId: U('a'), type: 'OrderPlaced', at: '2026-02-01T10:00:00.000Z' },
    };
    await given([rule('r-order', { name: 'Any', on: 'order-placed', delay: { amount: 2, unit: 'hours' } }), order('a', '2026-02-01T10:00:00.000Z', 100)])
      .when([{ type: 'MarketingTriggerScheduled', data: { ...base, dueAt: '2026-02-01T12:00:00.000Z', scheduledAt: '2026-02-01T10:00:01.000Z' } }])
      .thenRows(TriggerTimerRow, [{ timerId, scheduled: true, nextAt: new Date('2026-02-01T12:00:00.000Z') }]);
    await given([rule('r-order', { name: 'Any', on: 'order-placed' }), order('a', '2026-02-01T10:00:00.000Z', 100)])
      .when([
        {
          type: 'MarketingTriggerSkipped',
          data: {
            ...base,
            reason: 'cooldown',
            facts: {},
            why: { conditions: [], delayMinutes: 0 },
            dueAt: '2026-02-01T10:00:00.000Z',
            skippedAt: '2026-02-01T10:00:01.000Z',
          },
        },
      ])
      .thenRows(TriggerTimerRow, []);
  });

  it('a complaint: a company case whose category becomes complaint-<what>, once; case-closed on its closing', async () => {
    await given([
      rule('r-sorry', { name: 'Sorry', on: 'complaint-opened', conditions: { casePriorities: ['high', 'urgent'] } }),
      rule('r-closed', { name: 'How was it', on: 'case-closed', conditions: { caseCategories: ['complaint-damage'] }, delay: { amount: 1, unit: 'days' } }),
      caseOpened,
    ])
      .when([
        details('billing', '2026-02-01T10:01:00.000Z'),
        details('complaint-delivery', '2026-02-01T10:05:00.000Z'),
        details('complaint-damage', '2026-02-01T10:06:00.000Z'),
        { type: 'EpisodeClosed', id: U('closed'), data: { episodeId: 'e1', customerId, outcome: 'resolved', closedAt: '2026-02-03T10:00:00.000Z' } },
      ])
      .then(async (m) => {
        const timers = await m.getRepository(TriggerTimerRow).find({ order: { ruleId: 'ASC' } });
        expect(timers.map((t) => [t.ruleId, (t.cause as { type: string }).type, t.dueAt.toISOString(), t.facts])).toEqual([
          ['r-closed', 'EpisodeClosed', '2026-02-04T10:00:00.000Z', { caseCategory: 'complaint-damage', casePriority: 'high' }],
          ['r-sorry', 'CaseDetailsChanged', '2026-02-01T10:05:00.000Z', { caseCategory: 'complaint-delivery', casePriority: 'high' }],
        ]);
      });
  });

  it('a segment entered starts the timers of rules on that segment', async () => {
    await givenUnchecked([rule('r-seg', { name: 'VIP', on: 'segment-entered', conditions: { segmentId: 'vip' } })])
      .when([
        { type: 'SegmentEntered', id: U('s1'), data: { segmentId: 'vip', customerId, at: '2026-02-02T00:00:00.000Z' } },
        { type: 'SegmentEntered', id: U('s2'), data: { segmentId: 'lapsed', customerId, at: '2026-02-02T00:00:00.000Z' } },
      ])
      .thenRows(TriggerTimerRow, [{ timerId: triggerTimerId('r-seg', customerId, `event/${U('s1')}`), facts: { segmentId: 'vip' } }]);
  });

  it('a lapse timer is lapseDays after the last order, moves with a newer order (not an older import), and goes while its rule is disabled', async () => {
    const lapse = rule('r-lapse', { name: 'Come back', on: 'lapse', lapseDays: 30 });
    await given([lapse, order('a', '2026-02-01T10:00:00.000Z', 100)])
      .when([order('b', '2026-02-10T10:00:00.000Z', 100), order('c', '2026-01-05T10:00:00.000Z', 100, 'import')])
      .thenRows(TriggerTimerRow, [
        {
          timerId: triggerTimerId('r-lapse', customerId, `lapse/${U('b')}`),
          dueAt: new Date('2026-03-12T10:00:00.000Z'),
          nextAt: new Date('2026-03-12T10:00:00.000Z'),
        },
      ]);
    // Defined after the orders: a timer for every customer with an order.
    await given([order('a', '2026-02-01T10:00:00.000Z', 100)])
      .when([lapse])
      .thenRows(TriggerTimerRow, [{ timerId: triggerTimerId('r-lapse', customerId, `lapse/${U('a')}`), dueAt: new Date('2026-03-03T10:00:00.000Z') }]);
    await given([lapse, order('a', '2026-02-01T10:00:00.000Z', 100)])
      .when([{ type: 'TriggerRuleDisabled', data: { ruleId: 'r-lapse', disabledAt: '2026-02-02T00:00:00.000Z', disabledBy: 'mira' } }])
      .thenRows(TriggerTimerRow, []);
  });

  it('a lapse that fired does not come back when its rule is enabled again (a timer is decided once)', async () => {
    const timerId = triggerTimerId('r-lapse', customerId, `lapse/${U('a')}`);
    await given([
      rule('r-lapse', { name: 'Come back', on: 'lapse', lapseDays: 30 }),
      order('a', '2026-02-01T10:00:00.000Z', 100),
      {
        type: 'MarketingTriggerFired',
        data: {
          customerId,
          ruleId: 'r-lapse',
          ruleRevision: 0,
          on: 'lapse',
          timerId,
          cause: { eventId: U('a'), type: 'OrderPlaced', at: '2026-02-01T10:00:00.000Z' },
          facts: {},
          why: { conditions: [], delayMinutes: 0 },
          action: { campaignId: 'offer' },
          dueAt: '2026-03-03T10:00:00.000Z',
          firedAt: '2026-03-03T10:00:00.000Z',
        },
      },
      { type: 'TriggerRuleDisabled', data: { ruleId: 'r-lapse', disabledAt: '2026-03-04T00:00:00.000Z', disabledBy: 'mira' } },
    ])
      .when([{ type: 'TriggerRuleEnabled', data: { ruleId: 'r-lapse', enabledAt: '2026-03-05T00:00:00.000Z', enabledBy: 'mira' } }])
      .thenRows(TriggerTimerRow, []);
  });

  it('an anniversary of the first order comes with the first order, and moves when an earlier-dated order (an import) arrives', async () => {
    const anniversary = rule('r-first', { name: 'A year with us', on: 'anniversary', anniversaryOf: 'first-order' });
    await given([anniversary, order('a', '2026-02-01T10:00:00.000Z', 100)])
      .when([order('b', '2026-03-01T10:00:00.000Z', 100), order('c', '2025-12-01T10:00:00.000Z', 100, 'import')])
      .thenRows(TriggerTimerRow, [
        {
          timerId: triggerTimerId('r-first', customerId, `anniversary/${U('c')}/2026-12-01T10:00:00.000Z`),
          dueAt: new Date('2026-12-01T10:00:00.000Z'),
          cause: { eventId: U('c'), type: 'OrderPlaced', at: '2025-12-01T10:00:00.000Z' },
        },
      ]);
  });

  it('a customer merged into another (the duplicate) loses its timers', async () => {
    await given([rule('r-lapse', { name: 'Come back', on: 'lapse', lapseDays: 30 }), order('a', '2026-02-01T10:00:00.000Z', 100)])
      .when([{ type: 'CustomerMerged', data: { customerId, survivorId: 'c2', mergeId: 'm1' } }])
      .thenRows(TriggerTimerRow, []);
  });

  it('unmerged, the duplicate gets its lapse timer back from its own last order', async () => {
    const lapse = rule('r-lapse', { name: 'Come back', on: 'lapse', lapseDays: 30 });
    let kept: TriggerTimerRow[] = [];
    await given([lapse])
      .when([order('a', '2026-02-01T10:00:00.000Z', 100)])
      .then(async (m) => {
        kept = await m.getRepository(TriggerTimerRow).find();
      });
    expect(kept).toEqual([expect.objectContaining({ kind: 'lapse', customerId })]);
    await given([lapse, order('a', '2026-02-01T10:00:00.000Z', 100), { type: 'CustomerMerged', data: { customerId, survivorId: 'c2', mergeId: 'm1' } }])
      .when([{ type: 'CustomerUnmerged', data: { customerId, survivorId: 'c2', mergeId: 'm1' } }])
      .thenRows(TriggerTimerRow, [{ timerId: kept[0].timerId, kind: 'lapse', dueAt: kept[0].dueAt }]);
  });

  it('an anniversary of registration is due yearly; when decided, next year’s comes', async () => {
    const anniversary = rule('r-anniv', { name: 'Happy anniversary', on: 'anniversary', anniversaryOf: 'registration' });
    const first = triggerTimerId('r-anniv', customerId, `anniversary/${U('reg')}/2026-03-10T09:00:00.000Z`);
    await given([anniversary])
      .when([{ ...registered, id: U('reg') }])
      .thenRows(TriggerTimerRow, [{ kind: 'anniversary', dueAt: new Date('2026-03-10T09:00:00.000Z'), timerId: first }]);
    await given([anniversary, { ...registered, id: U('reg') }])
      .when([
        {
          type: 'MarketingTriggerFired',
          data: {
            customerId,
            ruleId: 'r-anniv',
            ruleRevision: 0,
            on: 'anniversary',
            timerId: first,
            cause: { eventId: U('reg'), type: 'CustomerRegistered', at: '2025-03-10T09:00:00.000Z' },
            facts: {},
            why: { conditions: [], delayMinutes: 0 },
            action: { campaignId: 'offer' },
            dueAt: '2026-03-10T09:00:00.000Z',
            firedAt: '2026-03-10T09:00:00.000Z',
          },
        },
      ])
      .then(async (m) => {
        expect(await dueTriggerTimers(m, new Date('2030-01-01T00:00:00.000Z'), 10)).toEqual([
          expect.objectContaining({
            ruleId: 'r-anniv',
            dueAt: '2027-03-10T09:00:00.000Z',
            cause: { eventId: U('reg'), type: 'CustomerRegistered', at: '2025-03-10T09:00:00.000Z' },
          }),
        ]);
      });
  });
});
