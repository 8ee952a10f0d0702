import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewEvent } from '@crm/event-store';

/** One append: a stream and the events that go on it, in order. */
export interface Append {
  stream: string;
  events: NewEvent[];
}

const metadata = (department: string): EventMetadata => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { type: 'staff', id: 'chaos', department },
  occurredAt: new Date().toISOString(),
  visibility: { departments: '*', partners: 'shared' },
});

const event = (type: string, data: Record<string, unknown>, department = 'sales'): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: metadata(department),
  schemaVersion: 1,
});

/**
 * The life of one customer across every department and a partner, as the services would write it:
 * registration, an opportunity through a few stages to won or lost, a service case, a campaign
 * touch, a partner deal (for one customer in four, shared with the partner first), interactions on
 * each. Each append is one stream's events in order, as a command handler appends them.
 */
export function customerLife(index: number, partnerId: string, interactionsPerEpisode: number): Append[] {
  const customerId = randomUUID();
  const at = new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString();
  const appends: Append[] = [
    {
      stream: `customer-${customerId}`,
      events: [
        event('CustomerRegistered', {
          customerId,
          kind: 'organisation',
          name: `Chaos ${index}`,
          contacts: [{ contactId: randomUUID(), name: 'Dewi', role: 'buyer' }],
          identities: [{ kind: 'email', value: `c${index}@chaos.example` }],
          journeyStage: 'prospect',
          relationshipPhase: 'awareness',
          registeredBy: 'sales',
        }),
      ],
    },
  ];
  const episode = (episodeType: string, owner: Record<string, string>, department: string, extra: Record<string, unknown> = {}) => {
    const episodeId = randomUUID();
    const events: NewEvent[] = [
      event('EpisodeOpened', { episodeId, customerId, name: `${episodeType} ${index}`, episodeType, owner, openedAt: at, ...extra }, department),
    ];
    for (let i = 0; i < interactionsPerEpisode; i++) {
      events.push(
        event(
          'InteractionRecorded',
          {
            episodeId,
            customerId,
            interaction: {
              interactionId: randomUUID(),
              channel: ['phone', 'email', 'face-to-face'][i % 3],
              direction: i % 2 ? 'inbound' : 'outbound',
              actor: { kind: 'staff', id: 'chaos' },
              action: `step ${i}`,
              occurredAt: at,
            },
          },
          department,
        ),
      );
    }
    return { episodeId, events };
  };
  const opp = episode('opportunity', { kind: 'department', department: 'sales' }, 'sales', {
    stage: 'lead-generation',
    expectedValue: 1000 + index,
    currency: 'EUR',
  });
  opp.events.push(
    event('OpportunityStageAdvanced', { episodeId: opp.episodeId, customerId, from: 'lead-generation', to: 'proposal-creation', advancedAt: at }),
  );
  opp.events.push(
    event('EpisodeClosed', {
      episodeId: opp.episodeId,
      customerId,
      outcome: index % 2 ? 'won' : 'lost',
      closedAt: at,
      ...(index % 2 ? { value: 900 + index, currency: 'EUR' } : { reason: 'price' }),
    }),
  );
  appends.push({ stream: `episode-${opp.episodeId}`, events: opp.events });
  const kase = episode('case', { kind: 'department', department: 'service' }, 'service', { channel: 'phone' });
  appends.push({ stream: `episode-${kase.episodeId}`, events: kase.events });
  const campaign = episode('campaign', { kind: 'department', department: 'marketing' }, 'marketing', { campaignId: 'chaos-campaign' });
  appends.push({ stream: `episode-${campaign.episodeId}`, events: campaign.events });
  if (index % 4 === 0) {
    appends.push({
      stream: `partner-${partnerId}`,
      events: [event('CustomerSharedWithPartner', { partnerId, customerId, sharedAt: at, sharedBy: 'chaos' }, 'management')],
    });
    const deal = episode('partner-deal', { kind: 'partner', partnerId }, 'sales');
    appends.push({ stream: `episode-${deal.episodeId}`, events: deal.events });
  }
  return appends;
}

/** Events of one customer's life (for sizing a load): 1 + 3 episodes × (1 + n) + 2, and one in four gets 1 + (1 + n) more. */
export function eventsPerCustomer(interactionsPerEpisode: number): number {
  const episode = 1 + interactionsPerEpisode;
  return 1 + 3 * episode + 2 + (1 + episode) / 4;
}
