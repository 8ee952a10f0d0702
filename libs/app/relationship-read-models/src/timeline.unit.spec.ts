import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { specEvents, type SpecEvent } from '@crm/projections/testing';
import { directoryChange, episodesNotOpenedIn, latestGrants, timelineEntries, type PartnerAccessEvent, type TimelineEvent } from './timeline.projection';

const registry = crmRegistry();
const customerId = randomUUID();
const interaction = (episodeId: string, n: number): SpecEvent<TimelineEvent> => ({
  type: 'InteractionRecorded',
  data: {
    episodeId,
    customerId,
    interaction: {
      interactionId: `i-${n}`,
      channel: 'email',
      direction: 'inbound',
      actor: { kind: 'customer', id: 'c1' },
      action: `mail ${n}`,
      occurredAt: `2026-01-0${n}T00:00:00.000Z`,
    },
  },
});

// The pure parts of the shared read models: what a batch of events writes, without a database.
describe('timeline entries', () => {
  const stored = randomUUID();
  const deal = randomUUID();
  const partnerId = randomUUID();
  const batch = specEvents<TimelineEvent>(
    [
      interaction(stored, 1),
      {
        type: 'EpisodeOpened',
        data: {
          episodeId: deal,
          customerId,
          name: 'Resale',
          episodeType: 'partner-deal',
          owner: { kind: 'partner', partnerId },
          openedAt: '2026-01-02T00:00:00.000Z',
        },
      },
      interaction(deal, 3),
      {
        type: 'EpisodeClosed',
        data: { episodeId: stored, customerId, outcome: 'won', closedAt: '2026-01-04T00:00:00.000Z' },
        recordedat: '2026-02-01T00:00:00.000Z',
      },
    ],
    { registry },
  );

  it('looks up the owners of the episodes the batch does not open', () => {
    expect(episodesNotOpenedIn(batch)).toEqual([stored]);
  });

  it('gives each event an entry in the global order, scoped by the partner owning its episode, dated by the event', () => {
    const rows = timelineEntries(batch, new Map([[stored, null]]));
    expect(rows.map((r) => [r.kind, r.episode_id, r.owner_partner_id, r.position_commit, r.occurred_at, r.recorded_at])).toEqual([
      ['InteractionRecorded', stored, null, '1', '2026-01-01T00:00:00.000Z', batch[0].time],
      ['EpisodeOpened', deal, partnerId, '2', '2026-01-02T00:00:00.000Z', batch[1].time],
      ['InteractionRecorded', deal, partnerId, '3', '2026-01-03T00:00:00.000Z', batch[2].time],
      ['EpisodeClosed', stored, null, '4', '2026-01-04T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ]);
    expect(rows[1].data).toEqual(batch[1].data);
  });

  it('refuses an entry of an episode it never saw opened, and an event without a store position', () => {
    expect(() => timelineEntries(batch, new Map())).toThrow(`episode ${stored} was never opened in this timeline`);
    const [unplaced] = batch;
    expect(() => timelineEntries([{ ...unplaced, position: undefined }], new Map([[stored, null]]))).toThrow('has no store position');
  });
});

describe('customer directory changes and partner grants', () => {
  it('sets what each change to a customer changes', () => {
    const [contact, stage] = specEvents<Parameters<typeof directoryChange>[0]>(
      [
        { type: 'CustomerContactAdded', data: { customerId, contact: { contactId: 'c1', name: 'Ani' } } },
        { type: 'CustomerJourneyStageChanged', data: { customerId, from: 'prospect', to: 'advocate' } },
      ],
      { registry },
    );
    expect(directoryChange(contact)).toEqual({
      set: 'contacts = contacts || jsonb_build_array($2::jsonb)',
      value: JSON.stringify({ contactId: 'c1', name: 'Ani' }),
    });
    expect(directoryChange(stage)).toEqual({ set: 'journey_stage = $2', value: 'advocate' });
  });

  it('keeps the latest event of each grant', () => {
    const partnerId = randomUUID();
    const other = randomUUID();
    const grants = latestGrants(
      specEvents<PartnerAccessEvent>(
        [
          { type: 'CustomerSharedWithPartner', data: { partnerId, customerId, sharedAt: '2026-01-01T00:00:00.000Z', sharedBy: 'a' } },
          { type: 'CustomerSharedWithPartner', data: { partnerId: other, customerId, sharedAt: '2026-01-02T00:00:00.000Z', sharedBy: 'a' } },
          { type: 'CustomerShareRevoked', data: { partnerId, customerId, revokedAt: '2026-01-03T00:00:00.000Z', revokedBy: 'a' } },
        ],
        { registry },
      ),
    );
    expect(grants).toEqual([
      { partner_id: partnerId, customer_id: customerId, granted: false, changed_at: '2026-01-03T00:00:00.000Z' },
      { partner_id: other, customer_id: customerId, granted: true, changed_at: '2026-01-02T00:00:00.000Z' },
    ]);
  });
});
