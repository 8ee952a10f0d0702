import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { specEvents, type SpecEvent } from '@crm/projections/testing';
import { episodesToLookUp, foldCustomerMetrics, ownerKey, type CustomerMetricsEvent } from './customer-metrics.projection';

const events = (list: SpecEvent<CustomerMetricsEvent>[]) => specEvents<CustomerMetricsEvent>(list, { registry: crmRegistry() });
const customerId = randomUUID();
const interaction = (episodeId: string, channel: string, occurredAt: string): SpecEvent<CustomerMetricsEvent> => ({
  type: 'InteractionRecorded',
  data: {
    episodeId,
    customerId,
    interaction: { interactionId: randomUUID(), channel, direction: 'inbound', actor: { kind: 'customer', id: 'c1' }, action: 'asked', occurredAt },
  },
});

// The pure part of the customer metrics: what a batch of events writes, without a database.
describe('customer metrics fold', () => {
  const opp = randomUUID();
  const deal = randomUUID();
  const stored = randomUUID();
  const partnerId = randomUUID();

  it('counts interactions by channel and by the owner of their episode, the purchases of won closings, and the latest times', () => {
    const batch = events([
      {
        type: 'EpisodeOpened',
        data: {
          episodeId: opp,
          customerId,
          name: 'Fleet',
          episodeType: 'opportunity',
          owner: { kind: 'department', department: 'sales' },
          openedAt: '2026-03-01T00:00:00Z',
        },
      },
      {
        type: 'EpisodeOpened',
        data: {
          episodeId: deal,
          customerId,
          name: 'Resale',
          episodeType: 'partner-deal',
          owner: { kind: 'partner', partnerId },
          openedAt: '2026-03-01T00:00:00Z',
        },
      },
      interaction(opp, 'phone', '2026-03-05T00:00:00Z'),
      interaction(deal, 'portal', '2026-03-04T00:00:00Z'),
      interaction(stored, 'phone', '2026-03-03T00:00:00Z'),
      { type: 'EpisodeClosed', data: { episodeId: opp, customerId, outcome: 'won', closedAt: '2026-03-06T00:00:00Z', value: 10, currency: 'EUR' } },
      { type: 'EpisodeClosed', data: { episodeId: deal, customerId, outcome: 'lost', closedAt: '2026-03-07T00:00:00Z', value: 99 } },
      { type: 'EpisodeClosed', data: { episodeId: stored, customerId, outcome: 'won', closedAt: '2026-03-02T00:00:00Z' } },
    ]);
    expect(episodesToLookUp(batch)).toEqual([stored]);
    const changes = foldCustomerMetrics(batch, new Map([[stored, { owner: 'service', episodeType: 'return-repair' }]]));
    expect(changes.newOwners).toEqual([
      { episodeId: opp, customerId, episodeType: 'opportunity', owner: 'sales' },
      { episodeId: deal, customerId, episodeType: 'partner-deal', owner: `partner:${partnerId}` },
    ]);
    expect(changes.purchases).toEqual([
      { episodeId: opp, customerId, closedAt: '2026-03-06T00:00:00Z', value: '10', currency: 'EUR', episodeType: 'opportunity' },
      { episodeId: stored, customerId, closedAt: '2026-03-02T00:00:00Z', value: '0', currency: null, episodeType: 'return-repair' },
    ]);
    expect([...changes.deltas]).toEqual([
      [
        customerId,
        {
          interactions: 3,
          byChannel: { phone: 2, portal: 1 },
          byDepartment: { sales: 1, [`partner:${partnerId}`]: 1, service: 1 },
          lastInteractionAt: '2026-03-05T00:00:00Z',
          won: 2,
          wonValues: [10, 0],
          lastPurchaseAt: '2026-03-06T00:00:00Z',
        },
      ],
    ]);
  });

  it('counts an episode neither opened in the batch nor stored under `unknown`; a registration alone gives a row of zeros', () => {
    const other = randomUUID();
    const changes = foldCustomerMetrics(
      events([
        {
          type: 'CustomerRegistered',
          data: {
            customerId: other,
            kind: 'person',
            name: 'Budi',
            contacts: [],
            identities: [],
            journeyStage: 'suspect',
            relationshipPhase: 'awareness',
            registeredBy: 'marketing',
          },
        },
        interaction(randomUUID(), 'sms', '2026-03-05T00:00:00Z'),
      ]),
      new Map(),
    );
    expect(changes.deltas.get(other)).toEqual({
      interactions: 0,
      byChannel: {},
      byDepartment: {},
      lastInteractionAt: null,
      won: 0,
      wonValues: [],
      lastPurchaseAt: null,
    });
    expect(changes.deltas.get(customerId)).toMatchObject({ interactions: 1, byDepartment: { unknown: 1 } });
    expect(changes.newOwners).toEqual([]);
  });

  it('names the owner an episode counts under', () => {
    expect(ownerKey({ kind: 'department', department: 'service' })).toBe('service');
    expect(ownerKey({ kind: 'partner', partnerId: 'p-1' })).toBe('partner:p-1');
  });
});
