import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { specEvents, type SpecEvent } from '@crm/projections/testing';
import { foldDirectory, searchable, type CustomerDirectoryEvent } from './customer-directory.projection';
import { episodesNotOpenedIn, latestGrants, timelineEntries, type PartnerAccessEvent, type TimelineEvent } from './timeline.projection';

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
  it("folds each change into the customer's row, and keeps what search reads up to date", () => {
    const events = specEvents<CustomerDirectoryEvent>(
      [
        {
          type: 'CustomerRegistered',
          data: {
            customerId,
            kind: 'organisation',
            name: 'PT Ánh Maju',
            contacts: [],
            identities: [],
            journeyStage: 'prospect',
            relationshipPhase: 'awareness',
            registeredBy: 'sales',
          },
        },
        { type: 'CustomerContactAdded', data: { customerId, contact: { contactId: 'c1', name: 'Ani', phone: '+62 812-555' } } },
        { type: 'CustomerDetailsChanged', data: { customerId, owner: 'sari', tags: ['vip'] } },
        { type: 'CustomerJourneyStageChanged', data: { customerId, from: 'prospect', to: 'advocate' } },
        { type: 'CustomerContactChanged', data: { customerId, contact: { contactId: 'c1', name: 'Ani Wijaya' } } },
        { type: 'CustomerDetailsChanged', data: { customerId, owner: null } },
      ],
      { registry },
    );
    const rows = events.reduce<ReturnType<typeof foldDirectory>[]>((all, e) => [...all, foldDirectory(all[all.length - 1], e)], []);
    expect(rows[1].search_text).toBe('pt anh maju ani +62 812-555 62812555');
    expect(rows[2]).toMatchObject({ owner: 'sari', tags: ['vip'] });
    expect(rows[3].journey_stage).toBe('advocate');
    expect(rows[4]).toMatchObject({ contacts: [{ contactId: 'c1', name: 'Ani Wijaya' }], search_text: 'pt anh maju ani wijaya' });
    expect(rows[5].owner).toBeNull();
    expect(searchable('  Nguyễn  VĂN ')).toBe('nguyen van');
    expect(() => foldDirectory(undefined, events[1])).toThrow('is not in the directory');
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
      // A share without a scope (as before issue 14 §2): every episode type, no end.
      { partner_id: partnerId, customer_id: customerId, granted: false, changed_at: '2026-01-03T00:00:00.000Z', episode_types: null, expires_at: null },
      { partner_id: other, customer_id: customerId, granted: true, changed_at: '2026-01-02T00:00:00.000Z', episode_types: null, expires_at: null },
    ]);
  });
});
