import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { contractCheckedStore } from '@crm/relationship-api';
import { openCountingStore, type CountingEventStore } from '@crm/relationship-api/testing';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { SegmentCommands, SegmentMembershipCommands } from './segment-commands';

// The write side accepts exactly what the contracts accept (as libs/app/relationship-api's
// write-side-contracts.int.spec.ts for the shared commands): every event the segment commands and
// the membership commands produce validates against its published contract, and is published
// under the right key (a segment's events by the segment, a membership's by the customer).
describe('segment commands and the event contracts', () => {
  let store: CountingEventStore;
  let close: () => Promise<void>;
  const registry = crmRegistry();
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const mia: StaffPrincipal = { kind: 'staff', subject: 'mia', department: 'marketing', roles: [] };

  beforeAll(async () => {
    ({ store, close } = await openCountingStore());
  });
  afterAll(async () => {
    await close();
  });

  it('define, revise, archive, enter and leave: every event validates against its contract', async () => {
    const checked = contractCheckedStore(store, registry);
    const segments = new SegmentCommands(checked, clock);
    const memberships = new SegmentMembershipCommands(checked);
    const defined = await segments.define(mia, {
      name: 'Gold van buyers',
      description: 'every condition once',
      rule: {
        all: [
          { kind: 'person' },
          { tags: { anyOf: ['vip'] } },
          { owner: null },
          { registered: { after: '2026-01-01T00:00:00Z' } },
          { journeyStage: { in: ['repeat-customer'] } },
          { relationshipPhase: { in: ['expansion'] } },
          { valueTier: { in: ['gold'] } },
          { rfm: { r: { min: 4 }, periodDays: 180 } },
          { purchased: { productId: 'VAN', window: { lastDays: 90 }, minCount: 1, minAmount: 100, currency: 'EUR' } },
          { interactions: { channel: 'email', direction: 'inbound', episodeType: 'case', window: { from: '2026-01-01T00:00:00Z' }, minCount: 2 } },
          { not: { campaignResponse: { campaignId: 'spring' } } },
          { consent: { channel: 'email', purpose: 'offers' } },
        ],
      },
    });
    clock.advance(1000);
    await segments.revise(mia, defined.segmentId, { name: 'Gold buyers', rule: { valueTier: { in: ['gold'] } } }, { expectedRevision: 0n });
    await memberships.change('enter', { segmentId: defined.segmentId, customerId: 'c1', segmentRevision: 2, at: clock.now(), reason: 'rule-matches' });
    await memberships.change('leave', { segmentId: defined.segmentId, customerId: 'c1', segmentRevision: 2, at: clock.now(), reason: 'segment-archived' });
    await segments.archive(mia, defined.segmentId);
    const events = [...(await store.readStream(`segment-${defined.segmentId}`)), ...(await store.readStream(`segmentmembership-${defined.segmentId}-c1`))];
    expect(events.map((e) => e.type)).toEqual(['SegmentDefined', 'SegmentRevised', 'SegmentArchived', 'SegmentEntered', 'SegmentLeft']);
    for (const e of events) {
      expect({ type: e.type, problems: registry.payloadProblems(e.type, e.schemaVersion, e.data) }).toEqual({ type: e.type, problems: [] });
      expect(toIntegrationEvent(e)?.subject).toBe(e.type.startsWith('Segment') && e.streamId.startsWith('segment-') ? defined.segmentId : 'c1');
    }
  });

  it('a second processor deciding the same entry stores it once (event ids derived from the stream revision)', async () => {
    const memberships = new SegmentMembershipCommands(contractCheckedStore(store, registry));
    const change = { segmentId: 's-race', customerId: 'c2', segmentRevision: 1, at: clock.now(), reason: 'rule-matches' as const };
    const results = await Promise.all([memberships.change('enter', change), memberships.change('enter', change)]);
    expect(results.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect((await store.readStream('segmentmembership-s-race-c2')).map((e) => e.type)).toEqual(['SegmentEntered']);
  });
});
